"""How each tool's result reads in the chat: fixed templates over the result's fields."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from agents.safety import undelimit
from tools.markdown import inline

Renderer = Callable[[dict[str, Any], str], str]

# The fixed sentences of the main answers in German, French and Spanish (issue 20: search,
# matches, critique, rewrite, alerts). Keyed by the English template; data (titles,
# skills, the critique's findings) stays as the services wrote it.
PHRASES: dict[str, dict[str, str]] = {
    "I found no published job matching your resume yet. Try again later, or upload a fuller resume.": {
        "de": "Ich habe noch keine veröffentlichte Stelle gefunden, die zu deinem Lebenslauf passt. Versuch es später noch einmal oder lade einen ausführlicheren Lebenslauf hoch.",
        "fr": "Je n'ai encore trouvé aucune offre publiée qui corresponde à votre CV. Réessayez plus tard, ou envoyez un CV plus complet.",
        "es": "Todavía no he encontrado ninguna oferta publicada que encaje con tu currículum. Vuelve a intentarlo más tarde o sube un currículum más completo.",
    },
    "Here are the jobs that match your resume best:": {
        "de": "Diese Stellen passen am besten zu deinem Lebenslauf:",
        "fr": "Voici les offres qui correspondent le mieux à votre CV :",
        "es": "Estas son las ofertas que mejor encajan con tu currículum:",
    },
    "{rank}. {title} {where} — score {score}. You have: {have}. Missing required: {missing}.": {
        "de": "{rank}. {title} {where} — Punktzahl {score}. Du hast: {have}. Es fehlt (Pflicht): {missing}.",
        "fr": "{rank}. {title} {where} — score {score}. Vous avez : {have}. Manquant (requis) : {missing}.",
        "es": "{rank}. {title} {where} — puntuación {score}. Tienes: {have}. Falta (requisito): {missing}.",
    },
    'Ask me to explain a match (e.g. "explain the first one") or to tailor your resume for one.': {
        "de": 'Bitte mich, einen Treffer zu erklären (z. B. "erkläre die erste Stelle") oder deinen Lebenslauf für eine Stelle anzupassen.',
        "fr": "Demandez-moi d'expliquer une offre (par ex. « explique la première offre ») ou d'adapter votre CV à l'une d'elles.",
        "es": 'Pídeme que te explique una oferta (p. ej. "explícame la primera oferta") o que adapte tu currículum a una de ellas.',
    },
    'Jobs naming "{query}" in their title or skills come first: {named} of {shown}.': {
        "de": 'Stellen, die "{query}" im Titel oder in den Kenntnissen nennen, stehen vorn: {named} von {shown}.',
        "fr": "Les offres qui citent « {query} » dans leur titre ou leurs compétences viennent d'abord : {named} sur {shown}.",
        "es": 'Primero las ofertas que mencionan "{query}" en su título o habilidades: {named} de {shown}.',
    },
    "No published job {constraints} fits your resume yet.": {
        "de": "Noch keine veröffentlichte Stelle {constraints} passt zu deinem Lebenslauf.",
        "fr": "Aucune offre publiée {constraints} ne correspond encore à votre CV.",
        "es": "Todavía ninguna oferta publicada {constraints} encaja con tu currículum.",
    },
    "Only jobs {constraints}.": {
        "de": "Nur Stellen {constraints}.",
        "fr": "Seulement les offres {constraints}.",
        "es": "Solo ofertas {constraints}.",
    },
    "Not applied (the search ranks by your resume): {constraints}.": {
        "de": "Nicht berücksichtigt (die Suche ordnet nach deinem Lebenslauf): {constraints}.",
        "fr": "Non appliqué (la recherche classe selon votre CV) : {constraints}.",
        "es": "No aplicado (la búsqueda ordena según tu currículum): {constraints}.",
    },
    "{title}: score {score}.": {
        "de": "{title}: Punktzahl {score}.",
        "fr": "{title} : score {score}.",
        "es": "{title}: puntuación {score}.",
    },
    "Skills you have: {skills}.": {
        "de": "Deine passenden Kenntnisse: {skills}.",
        "fr": "Compétences que vous avez : {skills}.",
        "es": "Habilidades que tienes: {skills}.",
    },
    "Required skills you miss: {skills}.": {
        "de": "Fehlende Pflichtkenntnisse: {skills}.",
        "fr": "Compétences requises qui vous manquent : {skills}.",
        "es": "Habilidades requeridas que te faltan: {skills}.",
    },
    "Preferred skills you miss: {skills}.": {
        "de": "Fehlende Wunschkenntnisse: {skills}.",
        "fr": "Compétences souhaitées qui vous manquent : {skills}.",
        "es": "Habilidades deseables que te faltan: {skills}.",
    },
    "Your resume scores {score}/100.": {
        "de": "Dein Lebenslauf erreicht {score}/100 Punkten.",
        "fr": "Votre CV obtient {score}/100.",
        "es": "Tu currículum obtiene {score}/100.",
    },
    "No problems found.": {
        "de": "Keine Probleme gefunden.",
        "fr": "Aucun problème trouvé.",
        "es": "No se han encontrado problemas.",
    },
    "Your current resume shows {years} years of experience.": {
        "de": "Dein aktueller Lebenslauf zeigt {years} Jahre Berufserfahrung.",
        "fr": "Votre CV actuel montre {years} ans d'expérience.",
        "es": "Tu currículum actual muestra {years} años de experiencia.",
    },
    "I've started tailoring your resume for that job. It runs in the background; I'll let you know in this chat when it's ready (task {task}).": {
        "de": "Ich passe deinen Lebenslauf an diese Stelle an. Das läuft im Hintergrund; ich sage dir hier im Chat Bescheid, wenn es fertig ist (Aufgabe {task}).",
        "fr": "J'ai commencé à adapter votre CV à cette offre. Cela tourne en arrière-plan ; je vous préviens dans ce chat quand c'est prêt (tâche {task}).",
        "es": "He empezado a adaptar tu currículum a esa oferta. Se hace en segundo plano; te aviso en este chat cuando esté listo (tarea {task}).",
    },
    'Done: job alerts are off. Say "turn on job alerts" to get them again.': {
        "de": "Erledigt: Job-Benachrichtigungen sind aus.",
        "fr": "C'est fait : les alertes emploi sont désactivées.",
        "es": "Hecho: las alertas de empleo están desactivadas.",
    },
    # The labels of a match card (ui/render.py), so that cards framed by a German answer
    # read in German too.
    "score {score}": {
        "de": "Punktzahl {score}",
        "fr": "score {score}",
        "es": "puntuación {score}",
    },
    "Has: {skills}": {
        "de": "Vorhanden: {skills}",
        "fr": "Acquis : {skills}",
        "es": "Tiene: {skills}",
    },
    "Missing (required): {skills}": {
        "de": "Es fehlt (Pflicht): {skills}",
        "fr": "Manquant (requis) : {skills}",
        "es": "Falta (requisito): {skills}",
    },
    "Missing (preferred): {skills}": {
        "de": "Es fehlt (erwünscht): {skills}",
        "fr": "Manquant (souhaité) : {skills}",
        "es": "Falta (deseable): {skills}",
    },
    "Why: {reasons}": {
        "de": "Warum: {reasons}",
        "fr": "Pourquoi : {reasons}",
        "es": "Por qué: {reasons}",
    },
    "none": {"de": "keine", "fr": "aucune", "es": "ninguna"},
    "{shown} (+{more} more)": {
        "de": "{shown} (+{more} weitere)",
        "fr": "{shown} (+{more} autres)",
        "es": "{shown} (+{more} más)",
    },
    "Untitled job": {
        "de": "Stelle ohne Titel",
        "fr": "Offre sans titre",
        "es": "Oferta sin título",
    },
    "job id `{id}`": {
        "de": "Stellen-ID `{id}`",
        "fr": "identifiant de l'offre `{id}`",
        "es": "id de la oferta `{id}`",
    },
    "Candidate {id}": {"de": "Kandidat {id}", "fr": "Candidat {id}", "es": "Candidato {id}"},
    "resume id `{id}`": {
        "de": "Lebenslauf-ID `{id}`",
        "fr": "identifiant du CV `{id}`",
        "es": "id del currículum `{id}`",
    },
    "Done: job alerts are on.": {
        "de": "Erledigt: Job-Benachrichtigungen sind an. Neue passende Stellen erscheinen in diesem Chat.",
        "fr": "C'est fait : les alertes emploi sont activées. Les nouvelles offres qui vous correspondent apparaîtront dans ce chat.",
        "es": "Hecho: las alertas de empleo están activadas. Las nuevas ofertas que encajen contigo aparecerán en este chat.",
    },
}


def tr(lang: str, template: str, **values: Any) -> str:
    """`template` in `lang` when it has a translation (else in English), filled in."""
    return PHRASES.get(template, {}).get(lang, template).format(**values)


def _names(items: Sequence[Any], limit: int = 6) -> str:
    items = [str(i) for i in items if i]
    if not items:
        return "none"
    extra = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + extra


def _where(item: dict[str, Any]) -> str:
    parts = [
        f"at {item['company']}" if item.get("company") else "",
        f"({item['location']})" if item.get("location") else "",
    ]
    return " ".join(p for p in parts if p)


def _job_filters(filters: dict[str, Any]) -> str:
    """The filters a search applied, as the answer states them (every listed job meets
    them: they run inside the search). Values stay as the tool got them."""
    said = []
    if filters.get("employment_type"):
        # One of the API's five names ("full_time"), escaped like a job's field: shown
        # unescaped, "full-time".
        said.append(str(filters["employment_type"]).replace("\\", "").replace("_", "-"))
    if filters.get("seniority"):
        said.append(f"{filters['seniority']} level")
    if filters.get("location"):
        said.append(f"in {filters['location']}")
    if filters.get("remote") is not None:
        said.append("remote" if filters["remote"] else "on-site")
    if filters.get("min_salary") is not None:
        said.append(f"paying {float(filters['min_salary']):,.0f}+")
    return ", ".join(said)


def jobs(data: dict[str, Any], lang: str = "en") -> str:
    matches = data.get("matches", [])
    constraints = _job_filters(data.get("filters") or {})
    if not matches and constraints:
        return tr(
            lang, "No published job {constraints} fits your resume yet.", constraints=constraints
        )
    if not matches:
        return tr(
            lang,
            "I found no published job matching your resume yet. Try again later, or upload a fuller resume.",
        )
    lines = [tr(lang, "Here are the jobs that match your resume best:")]
    for rank, m in enumerate(matches, 1):
        lines.append(
            tr(
                lang,
                "{rank}. {title} {where} — score {score}. You have: {have}. Missing required: {missing}.",
                rank=rank,
                title=m.get("title"),
                where=_where(m),
                score=f"{float(m.get('score', 0)):.2f}",
                have=_names(m.get("matched_skills", [])),
                missing=_names(m.get("missing_required", [])),
            )
        )
    if constraints:
        lines.append(tr(lang, "Only jobs {constraints}.", constraints=constraints))
    if data.get("query"):
        named = sum(1 for m in matches if m.get("query_met"))
        lines.append(
            tr(
                lang,
                'Jobs naming "{query}" in their title or skills come first: {named} of {shown}.',
                query=data["query"],
                named=named,
                shown=len(matches),
            )
        )
    lines.append(
        tr(
            lang,
            'Ask me to explain a match (e.g. "explain the first one") or to tailor your resume for one.',
        )
    )
    return "\n".join(lines)


def _gap_advice(missing_required: list[str], missing_preferred: list[str]) -> str:
    if not missing_required and not missing_preferred:
        return "You cover every skill the job lists: make sure your bullets show results with them."
    tips = []
    if missing_required:
        tips.append(
            f"If you have used {_names(missing_required)}, say so in a bullet with what you did; "
            "if not, a short course or a small project that uses them closes the gap."
        )
    if missing_preferred:
        tips.append(f"Nice to have: {_names(missing_preferred)}.")
    return " ".join(tips)


def explain(data: dict[str, Any], lang: str = "en") -> str:
    title = f"{data.get('title') or 'This job'} {_where(data)}".strip()
    reasons = data.get("reasons") or []
    return "\n".join(
        [
            tr(
                lang,
                "{title}: score {score}.",
                title=title,
                score=f"{float(data.get('score', 0)):.2f}",
            ),
            tr(
                lang,
                "Skills you have: {skills}.",
                skills=_names(data.get("matched_skills", []), 10),
            ),
            tr(
                lang,
                "Required skills you miss: {skills}.",
                skills=_names(data.get("missing_required", []), 10),
            ),
            tr(
                lang,
                "Preferred skills you miss: {skills}.",
                skills=_names(data.get("missing_preferred", []), 10),
            ),
            *([f"Why: {'; '.join(str(r) for r in reasons[:4])}."] if reasons else []),
            f"How to close the gap: {_gap_advice(data.get('missing_required', []), data.get('missing_preferred', []))}",
        ]
    )


def critique(data: dict[str, Any], lang: str = "en") -> str:
    findings = data.get("findings", [])
    order = {"critical": 0, "warning": 1, "info": 2}
    findings = sorted(findings, key=lambda f: order.get(f.get("severity"), 3))
    lead = tr(lang, "Your resume scores {score}/100.", score=data.get("score"))
    lines = [f"{lead} {data.get('summary', '')}".strip()]
    for f in findings[:5]:
        where = f" (line {f['line']})" if f.get("line") else ""
        lines.append(f"- {f.get('message')}{where} Fix: {f.get('suggestion')}")
    if not findings:
        lines.append(tr(lang, "No problems found."))
    return "\n".join(lines)


def resume(data: dict[str, Any], lang: str = "en") -> str:
    jobs = [
        f"{e.get('title') or 'a role'}{' at ' + e['employer'] if e.get('employer') else ''}"
        for e in data.get("experience") or []
    ]
    return "\n".join(
        [
            tr(
                lang,
                "Your current resume shows {years} years of experience.",
                years=f"{data.get('years_experience') or 0:g}",
            ),
            f"Skills: {_names(data.get('skills') or [], 12)}.",
            f"Roles: {_names(jobs, 5)}.",
            *(
                [f"Summary: {undelimit(str(data['summary']))}"]
                if undelimit(str(data.get("summary") or ""))
                else []
            ),
        ]
    )


def export(data: dict[str, Any], lang: str = "en") -> str:
    return (
        "Here is your resume as a JSON Resume file (resume.json), the open format other "
        "sites and resume builders import: "
        f"{data.get('work', 0)} job(s), {data.get('education', 0)} education entr"
        f"{'y' if data.get('education') == 1 else 'ies'} and {data.get('skills', 0)} "
        "skill group(s), as read from your current resume."
    )


def rewrite_started(data: dict[str, Any], lang: str = "en") -> str:
    return tr(
        lang,
        "I've started tailoring your resume for that job. It runs in the background; "
        "I'll let you know in this chat when it's ready (task {task}).",
        task=data.get("task_id"),
    )


def rewrite_diff(data: dict[str, Any], lang: str = "en") -> str:
    if data.get("unchanged"):
        return f"The rewrite found nothing to change: {data['unchanged']}."
    diff = undelimit(str(data.get("diff", ""))) or "(no changes)"
    return (
        f"Here is the proposed rewrite (version {data.get('version_id')}):\n```diff\n{diff}\n```\n"
        'Say "accept the rewrite" to make it your current resume, or "reject it".'
    )


def _candidate_filters(data: dict[str, Any]) -> str:
    said = []
    if data.get("skills"):
        said.append(f"with {_names(data['skills'])}")
    if data.get("min_years") is not None:
        said.append(f"with at least {data['min_years']:g} years of work")
    return " and ".join(said)


def candidates(data: dict[str, Any], lang: str = "en") -> str:
    job = data.get("job", {})
    matches = data.get("matches", [])
    filters = _candidate_filters(data)
    if not matches:
        who = f"candidate {filters}" if filters else "candidate"
        return f"No opted-in {who} matches {job.get('title')} yet."
    only = f"only candidates who opted in{', ' + filters if filters else ''}"
    lines = [f"Top candidates for {job.get('title')} ({only}):"]
    for rank, m in enumerate(matches, 1):
        lines.append(
            f"{rank}. Candidate {str(m.get('resume_id'))[:8]} — score {float(m.get('score', 0)):.2f}. "
            f"Has: {_names(m.get('matched_skills', []))}. Missing required: {_names(m.get('missing_required', []))}."
        )
    lines.append('Ask me to compare two of them, e.g. "compare 1 and 2".')
    return "\n".join(lines)


def comparison(data: dict[str, Any], lang: str = "en") -> str:
    job = data.get("job", {})
    a, b = data.get("candidates", [{}, {}])
    only_a = sorted(set(a.get("matched_skills", [])) - set(b.get("matched_skills", [])))
    only_b = sorted(set(b.get("matched_skills", [])) - set(a.get("matched_skills", [])))
    leader = a if float(a.get("score", 0)) >= float(b.get("score", 0)) else b

    def line(c: dict[str, Any]) -> str:
        return (
            f"#{c.get('rank')} candidate {str(c.get('resume_id'))[:8]}: score {float(c.get('score', 0)):.2f}, "
            f"missing required: {_names(c.get('missing_required', []))}"
        )

    return "\n".join(
        [
            f"For {job.get('title')}:",
            line(a),
            line(b),
            f"Only #{a.get('rank')} has: {_names(only_a)}. Only #{b.get('rank')} has: {_names(only_b)}.",
            f"On the job's stated requirements, #{leader.get('rank')} is ahead.",
        ]
    )


def funnel(data: dict[str, Any], lang: str = "en") -> str:
    f = data.get("funnel", {})
    t = data.get("tasks", {})
    cost = sum(float(d.get("cost_usd", 0)) for d in data.get("llm_per_day", []))
    return (
        f"Over the last {data.get('days')} days: {f.get('resumes_uploaded', 0)} resumes uploaded, "
        f"{f.get('critiqued', 0)} critiqued, {f.get('rewritten', 0)} rewritten, {f.get('matched', 0)} matched. "
        f"Background tasks: {t.get('submitted', 0)} submitted, {t.get('finished', 0)} finished, "
        f"{t.get('failed', 0)} failed. LLM spend: ${cost:.4f}."
    )


def _salary(job: dict[str, Any]) -> str:
    """ ", salary 30,000-35,000 GBP a year", or nothing when the job states none."""
    low, high = job.get("salary_min"), job.get("salary_max")
    if low is None and high is None:
        return ""
    figures = [f"{v:,.0f}" for v in dict.fromkeys(v for v in (low, high) if v is not None)]
    currency = f" {job['currency']}" if job.get("currency") else ""
    return f", salary {'-'.join(figures)}{currency} a year"


def job_saved(verb: str) -> Renderer:
    def render(data: dict[str, Any], lang: str = "en") -> str:
        job = data.get("job", {})
        state = "published" if job.get("published") else "not published"
        return (
            f'{verb} "{job.get("title")}" (id {job.get("id")}, {state}{_salary(job)}). '
            f"Required skills: {_names(job.get('required_skills', []))}; "
            f"preferred: {_names(job.get('preferred_skills', []))}. "
            "Ask me to find candidates for it."
        )

    return render


def _listing(filters: dict[str, Any]) -> str:
    """ "published job(s) in Manchester mentioning forklift": what a job list was filtered by."""
    published = filters.get("published")
    state = "" if published is None else "published " if published else "draft "
    where = f" in {filters['location']}" if filters.get("location") else ""
    about = f' mentioning "{filters["query"]}"' if filters.get("query") else ""
    return f"{state}job(s){where}{about}"


def job_list(data: dict[str, Any], lang: str = "en") -> str:
    jobs = data.get("jobs", [])
    filters = data.get("filters") or {}
    if not jobs and filters:
        return f"Your organisation has no {_listing(filters)}."
    if not jobs:
        return "Your organisation has no jobs yet. Paste a job description and I'll create one."
    lines = [f"Your organisation has {data.get('total', len(jobs))} {_listing(filters)}:"]
    lines += [
        f"{n}. {j.get('title')} {_where(j)} (id {j.get('id')})" for n, j in enumerate(jobs, 1)
    ]
    lines.append('Say which one, e.g. "find candidates for the first job".')
    return "\n".join(lines)


def alerts(data: dict[str, Any], lang: str = "en") -> str:
    alerts = data.get("alerts") or {}
    if not alerts.get("enabled"):
        if data.get("status") == "stopped":
            return tr(lang, 'Done: job alerts are off. Say "turn on job alerts" to get them again.')
        return (
            'Job alerts are off. Say e.g. "turn on job alerts for remote jobs above 0.7, '
            'at most 3 a day" and I will tell you here when a new job matches your resume.'
        )
    where = (
        "remote only"
        if alerts.get("remote")
        else "on-site only"
        if alerts.get("remote") is False
        else "remote or not"
    )
    place = f" in {alerts['location']}" if alerts.get("location") else ""
    kind = f" titled '{alerts['query']}'" if alerts.get("query") else ""
    lead = "Done: job alerts are on" if data.get("status") == "updated" else "Job alerts are on"
    if lang != "en" and data.get("status") == "updated":
        return tr(lang, "Done: job alerts are on.")
    return (
        f"{lead}: new jobs{kind} matching your resume at "
        f"{float(alerts.get('min_score', 0)) * 100:.0f}% "
        f"or more, {where}{place}, at most {alerts.get('max_per_day')} a day. They appear "
        'in this chat, or wait for your next visit. Say "stop job alerts" to turn them off.'
    )


def report(data: dict[str, Any], lang: str = "en") -> str:
    kind = data.get("report")
    if data.get("status") == "started":
        return (
            "The report is being prepared in the background; I'll post it in this chat "
            f"when it is ready (task {data.get('task_id')})."
        )
    if kind == "candidate":
        top = data.get("top_matches") or []
        best = (
            f"Your best match is {top[0].get('title')} at {float(top[0].get('score') or 0):.2f}. "
            if top
            else "No published job matches your resume yet. "
        )
        score = data.get("critique_score")
        return (
            "Here is your report (PDF), with the skill-gap chart. "
            + (f"Resume score {score}/100. " if score is not None else "")
            + best
            + f"Skills the best jobs ask for that you miss: {_names(data.get('skills_to_learn') or [])}."
        )
    if kind == "shortlist":
        top = data.get("top") or []
        lead = (
            f"{top[0].get('label')} leads at {float(top[0].get('score') or 0):.2f}. " if top else ""
        )
        return (
            f"Here is the blind shortlist for {data.get('job_title')} (PDF): "
            f"{data.get('candidates', 0)} opted-in candidate(s), shown by pseudonym; "
            f"{data.get('consented', 0)} agreed to be contacted. {lead}".strip()
        )
    funnel = data.get("funnel") or {}
    return (
        "Here is your funnel report (PDF, with charts): "
        f"{funnel.get('resumes_uploaded', 0)} resumes uploaded, {funnel.get('critiqued', 0)} "
        f"critiqued, {funnel.get('rewritten', 0)} rewritten, {funnel.get('matched', 0)} matched."
    )


def contact_requests(data: dict[str, Any], lang: str = "en") -> str:
    requests = data.get("requests") or []
    if not requests:
        return (
            "No employer has asked to contact you yet. When one does, I ask you here first: "
            "until you agree they see only your skills and scores, under a pseudonym."
        )
    lines = ["Employers who asked to contact you:"]
    for rank, r in enumerate(requests, 1):
        lines.append(
            f"{rank}. {r.get('company') or 'An employer'}, for {r.get('job_title')}: {r.get('status')}"
        )
    lines.append(
        'Say e.g. "accept the first contact request" or "decline the first contact request".'
    )
    return "\n".join(lines)


def contact_answer(data: dict[str, Any], lang: str = "en") -> str:
    request = data.get("request") or {}
    who = request.get("company") or "The employer"
    if request.get("status") == "accepted":
        return f"Done: {who} can now see the e-mail address on your resume. You can withdraw it any time."
    return f"Done: you stay anonymous to {who}."


def contact_asked(data: dict[str, Any], lang: str = "en") -> str:
    request = data.get("request") or {}
    who = f"candidate {str(request.get('candidate_id'))[:8]} (#{data.get('rank')})"
    if data.get("status") == "asked":
        return (
            f"Done: I asked {who} whether you may contact them about {request.get('job_title')}. "
            "They answer in their own chat; you will be told here, and if they agree their "
            "e-mail address appears in the job's shortlist."
        )
    return f"You asked {who} before; their answer: {request.get('status')}."


def rewrite_accepted(data: dict[str, Any], lang: str = "en") -> str:
    return "Done: the rewritten version is now your current resume."


def rewrite_rejected(data: dict[str, Any], lang: str = "en") -> str:
    return "Rejected: your resume stays as it was."


def visibility(data: dict[str, Any], lang: str = "en") -> str:
    if data.get("open_to_employers"):
        return "Done: employers can now find you for their jobs."
    return "Done: you are hidden from employer searches."


def data_deleted(data: dict[str, Any], lang: str = "en") -> str:
    return "Done: your profile, resumes and matches have been deleted."


HELP = {
    "candidate": "I can read and critique your resume, find jobs that match it (with reasons), "
    "explain a match and how to close the gap, tailor your resume for a job, show/accept/reject "
    "a rewrite, send you alerts about new matching jobs, give you your report as a PDF, set "
    "whether employers can find you, answer employers who ask to contact you, and delete your "
    "data. What would you like?",
    "employer": "I can create or update a job from a description you paste, list your jobs, find "
    "opted-in candidates for a job, compare two candidates, ask a candidate whether you may "
    "contact them, show your hiring funnel, and give you a blind shortlist or a funnel report "
    "as a PDF. What would you like?",
}

HELP_TRANSLATED: dict[str, dict[str, str]] = {
    "candidate": {
        "de": "Ich kann deinen Lebenslauf lesen und bewerten, passende Stellen finden (mit "
        "Begründung), einen Treffer erklären, deinen Lebenslauf an eine Stelle anpassen und dich "
        "über neue passende Stellen benachrichtigen. Was möchtest du?",
        "fr": "Je peux lire et critiquer votre CV, trouver les offres qui vous correspondent "
        "(avec les raisons), expliquer une offre, adapter votre CV à une offre et vous alerter "
        "des nouvelles offres. Que souhaitez-vous ?",
        "es": "Puedo leer y revisar tu currículum, encontrar ofertas que encajen contigo (con "
        "los motivos), explicarte una oferta, adaptar tu currículum a una oferta y avisarte de "
        "nuevas ofertas. ¿Qué te gustaría?",
    },
    "employer": {
        "de": "Ich kann eure Stellen auflisten, Kandidaten für eine Stelle finden und vergleichen "
        "und euren Recruiting-Funnel zeigen. Was möchtest du?",
        "fr": "Je peux lister vos offres, trouver et comparer des candidats pour une offre et "
        "montrer votre entonnoir de recrutement. Que souhaitez-vous ?",
        "es": "Puedo listar vuestras ofertas, encontrar y comparar candidatos para una oferta y "
        "mostrar vuestro embudo de contratación. ¿Qué te gustaría?",
    },
}

MESSAGES: dict[str, dict[str, str]] = {
    "confirm": {
        "en": 'Reply "yes" to confirm or "no" to cancel.',
        "de": 'Antworte "yes" zum Bestätigen oder "no" zum Abbrechen.',
        "fr": "Répondez « yes » pour confirmer ou « no » pour annuler.",
        "es": 'Responde "yes" para confirmar o "no" para cancelar.',
    },
    "failed": {
        "en": "I couldn't do that:",
        "de": "Das ging nicht:",
        "fr": "Je n'ai pas pu le faire :",
        "es": "No he podido hacerlo:",
    },
    "cancelled": {
        "en": "OK, I left everything as it was.",
        "de": "In Ordnung, ich habe nichts geändert.",
        "fr": "D'accord, je n'ai rien changé.",
        "es": "De acuerdo, no he cambiado nada.",
    },
    "clarify": {
        "en": "Did you mean: {choices}? Say which one, or tell me a little more.",
        "de": "Meinst du: {choices}? Sag mir, welches, oder erzähl mir etwas mehr.",
        "fr": "Vouliez-vous dire : {choices} ? Dites-moi lequel, ou précisez un peu.",
        "es": "¿Te refieres a: {choices}? Dime cuál, o cuéntame un poco más.",
    },
    "how_to": {
        "en": 'Just ask, e.g. "{example}" ({label}). Nothing changes without your request, '
        "and publishing, deleting or sharing asks you to confirm first.",
        "de": 'Sag es einfach, z. B. "{example}" ({label}). Ohne deine Bitte ändert sich nichts, '
        "und Veröffentlichen, Löschen oder Teilen bestätigst du vorher.",
        "fr": "Demandez-le simplement, par ex. « {example} » ({label}). Rien ne change sans "
        "votre demande, et publier, supprimer ou partager vous demande d'abord confirmation.",
        "es": 'Pídelo sin más, p. ej. "{example}" ({label}). Nada cambia sin que lo pidas, y '
        "publicar, borrar o compartir te pide confirmación antes.",
    },
    "smalltalk": {
        "en": "Happy to help. Ask me about jobs, your resume or candidates whenever you like.",
        "de": "Gern. Frag mich jederzeit nach Stellen, deinem Lebenslauf oder Kandidaten.",
        "fr": "Avec plaisir. Demandez-moi des offres, votre CV ou des candidats quand vous voulez.",
        "es": "Con gusto. Pregúntame por ofertas, tu currículum o candidatos cuando quieras.",
    },
    "out_of_scope": {
        "en": "That is outside what I can do.",
        "de": "Dabei kann ich nicht helfen.",
        "fr": "Cela sort de ce que je sais faire.",
        "es": "Eso queda fuera de lo que puedo hacer.",
    },
}


def say(lang: str, key: str, **values: Any) -> str:
    texts = MESSAGES[key]
    return texts.get(lang, texts["en"]).format(**values)


def help_text(role: str, lang: str = "en") -> str:
    side = "candidate" if role == "candidate" else "employer"
    return HELP_TRANSLATED[side].get(lang, HELP[side])


# --- drafts -------------------------------------------------------------------------------


def _draft_notes(data: dict[str, Any]) -> list[str]:
    notes = []
    if data.get("facts_used"):
        notes.append(f"Made only from your resume: {'; '.join(map(str, data['facts_used']))}.")
    if data.get("not_claimed"):
        notes.append(
            "Left out, since your resume does not show them: "
            f"{_names(data['not_claimed'])}. Add them only if you have them."
        )
    return notes


def summary_draft(data: dict[str, Any], lang: str = "en") -> str:
    text = undelimit(str(data.get("text") or ""))
    if data.get("note"):
        return f"I left your summary as it is: {data['note']}."
    diff = undelimit(str(data.get("diff") or ""))
    return "\n\n".join(
        [
            "Here is a stronger summary (a draft: nothing is saved):",
            text,
            f"```diff\n{diff}\n```",
            *_draft_notes(data),
        ]
    )


def cover_letter_draft(data: dict[str, Any], lang: str = "en") -> str:
    text = undelimit(str(data.get("text") or ""))
    return "\n\n".join(
        [
            "Here is a cover letter draft (nothing is saved or sent):",
            text.strip(),
            *_draft_notes(data),
        ]
    )


def job_post_draft(data: dict[str, Any], lang: str = "en") -> str:
    text = undelimit(str(data.get("text") or ""))
    sources = "; ".join(inline(source) for source in data.get("sources") or []) or "none"
    return "\n\n".join(
        [
            f'Here is a draft job post for "{data.get("title")}". It is only a draft: no job '
            "was created or published.",
            text.strip(),
            f"Sources: {sources}.",
            'Fill in the [bracketed] parts, then paste it back with "create a job from this '
            'description:" and I will ask you to confirm before anything is published.',
        ]
    )
