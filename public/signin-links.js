// ClearView: links from the chat's sign-in page to the account pages (sign-up, password
// reset), which live beside the chat. Chainlit renders its sign-in form in the browser,
// so the links are added once the form is there.
(function () {
  const LINKS = [
    ["/signup", "New here? Sign up as a candidate"],
    ["/signup/employer", "Sign up as an employer"],
    ["/password/forgot", "Forgot your password?"],
  ];
  function addLinks() {
    const password = document.querySelector("#password");
    const form = password && password.closest("form");
    if (!form || document.querySelector("#cv-account-links")) return;
    const nav = document.createElement("nav");
    nav.id = "cv-account-links";
    nav.style.cssText = "display:flex;flex-direction:column;gap:.4rem;margin-top:1rem;font-size:.9rem";
    for (const [href, text] of LINKS) {
      const a = document.createElement("a");
      a.href = href;
      a.textContent = text;
      a.style.textDecoration = "underline";
      nav.appendChild(a);
    }
    form.after(nav);
  }
  new MutationObserver(addLinks).observe(document.documentElement, { childList: true, subtree: true });
  addLinks();
})();
