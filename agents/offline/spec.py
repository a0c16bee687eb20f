"""One specification per tool: which requests select it, how its arguments are read from
the conversation, how its result reads in the chat, and how the chat names a step using it.

Adding a tool to `tools.ROLE_TOOLS` means adding its entry here (a test holds the two
together).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from agents.offline import answers, arguments, careers
from agents.offline.answers import Renderer
from agents.offline.arguments import ArgFiller


@dataclass(frozen=True)
class ToolSpec:
    name: str
    role: Literal["candidate", "employer", "both"]  # employer tools are also the admins'
    label: str  # the chat shows a step as "Using <label>" while the tool runs
    patterns: tuple[str, ...]  # any match selects the tool (first spec in order wins)
    examples: tuple[str, ...]  # phrasings for the embedding fallback
    arguments: ArgFiller
    render: Renderer
    # Changes data: never chosen on a guess (rules only, an explicit request), see intents.
    writes: bool = False
    # Judgement or writing, where a configured LLM is the better tool: such a request always
    # goes to the LLM (see `routable`), however sure the offline reading is.
    llm_writes: bool = False
    # What `POST /api/v1/chat` returns in `results`: the kind of items, and the key of the
    # result's list (None: the result itself is the one item).
    kind: str = "status"
    items: str | None = None


def _rx(*patterns: str) -> tuple[str, ...]:
    return patterns


# The jobs a resume lists, not jobs to find: "which jobs have I had according to my cv",
# "what did you pick up from my CV? just list the jobs you've got on file for me"
_ON_MY_CV = (
    r"\b(have i (had|held|done)|according to my|(did|have) (you|u) (\w+ly )?(find|found|get|got|"
    r"pick(ed)? up|read|see|saw) (on|in|from) (my|the) (cv|resume)|(you'?ve|you have) (got )?on file|"
    r"(cv|resume)\b[^?]{0,40}\bwhat (did|have) (you|u) (\w+ly )?(pick(ed)? up|get|got|read|find|found|see|saw)|"
    r"what (you|u)('ve| have)? (\w+ly )?(picked up|got|read|found|saw|pulled( out)?|extracted)\s+"
    r"(from|in|out of) (it|my (cv|resume)))\b"
)


# ("posts" as a noun; "post" is also the verb of "post this job")
_JOBS = r"(jobs?|roles?|positions?|openings?|vacanc\w*|opportunit\w*|postings?|posts|gigs?|jbos?|reqs?|requisitions?|ads?|adverts?|listings?)"
_CANDS = r"(candidates?|applicants?|people|ppl|folks|talent|profiles?|who)"
# "please", "pls", "we need to", "can you": how a request may open before its verb
# ("you can ..." is how a French or Spanish request reads word for word)
_ASK = (
    r"((ok|okay|right|great|cool|so|alright|yes|yep|yeah|sure),?\s+|(please|pls|plz)\s+|go ahead and\s+|"
    r"(we|i)('d like| (need|want|would like)) to\s+|(can|could) (you|u)\s+|(you|u) can\s+)*"
)

# Order matters: pasted job descriptions first (anchored at the message start, since the
# text itself names candidates and skills), then specific actions before broad searches.
SPECS: tuple[ToolSpec, ...] = (
    ToolSpec(
        "update_job",
        "employer",
        "job update",
        _rx(
            # "pull the nurse job", not "pull up the candidates for the nurse role"
            rf"^\W*{_ASK}(update|change|edit|modify|rename|set(?!\s+up)|raise|lower|unpublish|close|reopen|republish|take down|"
            rf"pull(?!\s+(up|out|together|through)\b))\b[^\n]*\b{_JOBS}\b",
            # "unpublish the 2nd one": a job of the list just shown
            rf"^\W*{_ASK}(publish|unpublish|close|reopen|republish|take down)\s+(the\s+)?(\w+\s+){{1,3}}one\b",
            # "close number 3", "change the title of the last one to ...": a job just listed
            rf"^\W*{_ASK}(update|change|edit|rename|unpublish|close|reopen|republish|take down)\s+"
            r"((the\s+)?(title|description|salary|location|name)\s+(of|on|for)\s+)?"
            r"(the\s+)?(number\s+\d|#\d|\d|(first|second|third|fourth|fifth|last|\d(st|nd|rd|th))(\s+(one|job|role))?)\b",
            # "make #1 live"
            rf"^\W*{_ASK}(make|put|set)\s+(#\d|number \d|no\.? ?\d|the (first|second|third|fourth|fifth|last)"
            r"( one)?|it|that one)\s+(live|public)\b",
            # "unpublish it": the job just listed or created (asked back when several are)
            rf"^\W*{_ASK}(publish|unpublish|republish|reopen|close|take down)\s+(it|that one)\W*$",
            # "take the nurse vacancy down"
            rf"^\W*{_ASK}take\s+(the|our|this|that|a)\s+[^\n]{{0,40}}?\b({_JOBS}|one)\s+(down|offline)\b",
            # "we filled the warehouse job, take it down", "don't hold the nurse job back - publish it"
            rf"^(?![^\n]*\b(create|new)\b)[^\n]*\b{_JOBS}\b[^.?!\n]{{0,60}}\b(take it down|close it|unpublish it|pull it|publish it)\b",
            rf"\bso\s+{_ASK}(close|unpublish|reopen|publish|take down)\s+(that|the|this|our)\s+[^\n.?!]{{0,40}}?\b{_JOBS}\b",
            # "publish the draft for the HR Advisor role": one of ours, as it is (a new
            # job comes with its description after a colon or a dash: create_job)
            rf"^(?![^\n]*(:|\s[-–—]\s|\bnew\b))\W*{_ASK}(publish|put live|make live)\b"
            rf"[^\n]*\b({_JOBS}|draft)\b[^\n]*$",
        ),
        ("Update the job description", "Unpublish the data engineer job"),
        arguments=arguments.update_job_args,
        render=answers.job_saved("Updated"),
        writes=True,
    ),
    # a draft is text, never a job: before creating, so "write a job ad for X" drafts
    ToolSpec(
        "draft_job_post",
        "employer",
        "job post draft",
        _rx(
            # one line, not a pasted description ("create a job from this description: ...")
            r"^(?![^\n]*(:|\bfrom (this|the|my|our)\b|\bshort-?list\b|\breport\b))"
            r"\W*(please\s+)?(can (you|u)\s+|could (you|u)\s+)?(draft|write( up)?|prepare|compose|generate|"
            r"suggest|help me write)\b[^\n]{0,80}\b(job\s+)?(ad|advert|advertisement|"
            r"post|posting|description|listing|jd|spec)\b[^\n]{0,80}$",
            # "We need to advertise for a Monitoring & Evaluation Officer, can you draft something?"
            r"\badvertis\w*\b[^\n?]{0,80}\b(draft|write( up)?)\s+(something|one|it)\b",
            r"^[^\n:]{0,80}\b(ad|advert|advertisement|job post|posting|listing|jd)\b[^\n:]{0,80}"
            r"\b(just )?(a |as a )?draft(ed)?\b[^\n:]{0,40}$",
            # "draft job post: senior backend engineer, fintech": a title after the colon
            r"^\W*(please\s+)?(draft|write( up)?)\s+(me\s+|us\s+)?(an?\s+)?(job\s+)?(ad|advert|post|"
            r"posting|description|listing|jd)\s*(for\s*)?:\s*[^\n:]{1,100}$",
            r"^[^\n:]{0,200}\b(can|could|would) (you|u)\s+(please\s+)?(draft|write( up)?|prepare|"
            r"compose)\s+(the|an?|our|my)\s+(draft\s+)?(job\s+)?(ad|advert|advertisement|job post|posting|"
            r"listing|jd)\b[^\n:]{0,120}$",
            # "drafts are fine: write me a job ad for a platform engineer, don't publish it"
            r"^[^\n]{0,200}\b(draft|write|prepare|compose|knock up|put together|whip up)\b[^\n]{0,80}\b(ad|advert|"
            r"advertisement|job post|posting|listing|jd|job description)\b[^\n]{0,120}\b(don'?t|do not|not yet|without|not)\s+"
            r"(publish|post)",
            r"^[^\n:]{0,200}\b(a|the) draft (job )?(ad|advert|advertisement|posting|listing|jd)\b[^\n:]{0,120}$",
        ),
        ("Draft a job ad for a warehouse worker", "Write a job description for a nurse"),
        arguments=arguments.job_post_draft_args,
        render=answers.job_post_draft,
        kind="draft",
        llm_writes=True,  # a configured model writes better prose from the same facts
    ),
    ToolSpec(
        "create_job",
        "employer",
        "job creation",
        _rx(
            # the description comes after a colon, a dash or a line break: a one-line
            # request ("post the nurse job") names no job to create
            rf"(^|[.!?,]\s+)\W*{_ASK}(create|post|add|publish|advertise)\b[^\n]*\b{_JOBS}\b"
            r"[^\n]*?(:|\s[-–—]\s|\s?(->|→|=>)\s?|\n)",
            r"\b(here'?s|here is) (a|the|our) new (job|role|vacancy|position|ad)\b[^\n:]{0,40}(:|\n)",
            rf"^\W*{_ASK}((create|post|add|publish|advertise)\s+(this|the following)|"
            r"(put|get)\s+(this|it)(\s+one)?\s+(up|live|online|out))\b[^\n:]{0,20}(:|\s(--|[-–—])\s|\n)",
            # "Hi, new role to post please. Room Leader – Little Acorns Day Nursery ...",
            # "new job ad below, can u put it up -- Youth Worker (part time) at ..."
            rf"^\W*((hi|hello|hey|morning)\W+)?(a\s+)?new\s+{_JOBS}\b[^\n:]{{0,40}}(:|\s(--|[-–—])\s|\n)",
            # "paste below, post it asap" and the description on the lines after
            r"^[^\n]{0,60}\b(create|post|add|publish|advertise)\s+(it|this|the following)\b[^\n]{0,40}\n\s*\S[\s\S]{80,}",
            # "Put this up for me:", "need to get this one up today" and the ad below
            r"^[^\n]{0,60}\b(put|get|stick|pop)\s+(it|this)(\s+one)?\s+(up|live|online|out)\b[^\n]{0,40}\n\s*\S[\s\S]{80,}",
            # the ad first, the request on its last line: "... £13.10/hr.\nCan you put that live please"
            r"[\s\S]{80,}\n[^\n]{0,40}\b(put|get|stick|pop|post|publish)\s+(it|this|that)(\s+one)?\s+"
            r"(up|live|online|out)\b[^\n]{0,20}$",
            # "need a sous chef asap. heres the ad, just stick it up: Sous Chef, ..."
            r"\b(here'?s|heres|here is) (the|our|my) (job )?(ad|advert|description|posting)\b[^\n:]{0,40}"
            r"\b(stick|put|post|publish|pop|get) it( up| live| online| out)?[^\n:]{0,20}:",
            r"^\W*here is (a|the|our) (new )?(job )?(description|posting|ad)\b",
            # "Please create a new job from the following. Healthcare Assistant (Nights), ..."
            rf"^\W*{_ASK}(create|post|add|publish)\s+(a\s+)?new\s+{_JOBS}\s+(from|using|with)\s+"
            r"(the following|this|these details)\b[\s\S]{40,}",
            # "Here's the ad: Night Care Assistant, ... Please put it up."
            r"\b(here'?s|heres|here is) (the|our|my|an?) (new )?(job )?(ad|advert|description|posting)\s*:"
            r"[\s\S]{40,}\b(put|post|publish|stick|pop|get) it (up|live|online|out)\b",
        ),
        ("Create a job from this description", "Post a new role", "We are hiring, here is the ad"),
        arguments=arguments.create_job_args,
        render=answers.job_saved("Created and published"),
        writes=True,
    ),
    ToolSpec(
        "delete_my_data",
        "candidate",
        "data erasure",
        _rx(
            r"\b(delete|erase|remove|wipe|forget|get rid of|close)\b.*\b(my|all)\b.*\b(data|account|profile|everything|information|info|details|resumes?)\b",
            r"\bforget me\b",
            r"\b(delete|erase|remove|wipe)\s+(everything|all)\s+(you('ve)?\s+(got|have|hold|know|keep)|about me|on me)\b",
            # "delete everything. account, cv, all of it."
            r"^\W*(please\s+|pls\s+)?(delete|erase|wipe)\s+(everything|it all|all of it)\b",
            r"\b(information|data|details|account|profile)\b[^?]{0,60}\b(remove|delete|erase|wipe)\s+(it all|everything|all of it)\b",
            r"\bmy (data|account|profile)\b.*\b(erased|deleted|removed|wiped)\b",
            r"\b(i want|i'?d like|i would like|please have)\s+(everything|it all|all of it)\s+(erased|deleted|removed|wiped)\b",
            r"\bright to (be forgotten|erasure)\b",
            # "Under GDPR I'd like all my personal data erased from your platform."
            r"\b(i want|i'?d like|i would like|please have)\s+(all\s+)?my\s+(personal\s+)?(data|account|information|details)\s+"
            r"(erased|deleted|removed|wiped)\b",
        ),
        (
            "Delete all my data",
            "Remove my account and everything you know about me",
            "I want to be forgotten",
        ),
        arguments=arguments.no_arguments,
        render=answers.data_deleted,
        writes=True,
    ),
    # job alerts: before job searches (an alert request names jobs, scores, places)
    ToolSpec(
        "stop_job_alerts",
        "candidate",
        "job alert settings",
        _rx(
            r"\b(stop|disable|turn off|switch off|cancel|unsubscribe|pause|no more|mute)\b.*\b(alerts?|notifications?)\b",
            r"\b(alerts?|notifications?|job e-?mails)\b.*\b(off|stop)\b",
            r"\bstop (e-?mailing|sending|mailing|messaging|texting|notifying)( me)?\b.*\b(jobs?|alerts?|matches|vacancies)\b",
            r"\bstop (the |all )?(these )?(job )?(e-?mails|messages|notifications)\b",
            r"\b(no longer|don'?t|do not)\s+(want|need|wish) to (get|receive)\b[^.?!]*\b(alerts?|notifications?|e-?mails)\b",
        ),
        ("Stop job alerts", "Turn off my alerts", "No more job notifications"),
        arguments=arguments.no_arguments,
        render=answers.alerts,
        writes=True,
    ),
    ToolSpec(
        "set_job_alerts",
        "candidate",
        "job alert settings",
        _rx(
            r"\b(turn on|enable|set up|setup|start|switch on|create|subscribe|change|update|set)\b.*\balerts?\b",
            r"\b(notify|alert|ping|e-?mail) me\b.*\b(new|when|whenever|as soon)\b",
            r"\bsend me new\b.*\b(as they|when|whenever)\b",
            r"\bsend me\b[^.?!]{0,20}\b(job )?alerts?\b",
            r"\bsend me (job )?alerts\b",
            r"\b(i'?d like|i want|give me|please)\b.*\balerts?\b",
            r"\balerts?\b.*\b(above|over|at least|min\w*|per day|a day|remote only|only)\b",
            # "switch my job alerts back on"
            r"\b(turn|switch|put|set)\b[^.?!]{0,30}\balerts?\b[^.?!]{0,15}\bon\b",
            # "10 job e-mails a day, one is plenty": how many a day
            r"\b(e-?mails?|notifications?|messages?)\b[^.?!]*\b(a|per) day\b[^.?!]*\b(is|are|would be) (plenty|enough)\b[^?]*$",
        ),
        (
            "Turn on job alerts",
            "Notify me when a new job matches my resume",
            "Alert me about new remote jobs",
        ),
        arguments=arguments.alert_args,
        render=answers.alerts,
        writes=True,
    ),
    ToolSpec(
        "get_job_alerts",
        "candidate",
        "job alert settings",
        _rx(r"\balerts?\b", r"\b(are|is) (my )?(job )?notifications? on\b"),
        ("What are my alert settings?", "Are my job alerts on?"),
        arguments=arguments.no_arguments,
        render=answers.alerts,
    ),
    # reports: a document to download, before the searches and the funnel they summarise
    ToolSpec(
        "get_shortlist_report",
        "employer",
        "shortlist report",
        _rx(
            r"\bshort-?list\b",
            # "a pdf of the best people for the warehouse job"
            rf"\b(pdf|report)\b[^.?!]*\b(best|top|strongest)\s+(\d+\s+)?{_CANDS}\b",
        ),
        ("Shortlist for the data engineer job", "Give me a blind shortlist report"),
        arguments=arguments.shortlist_args,
        render=answers.report,
    ),
    ToolSpec(
        "get_funnel_report",
        "employer",
        "funnel report",
        _rx(
            r"\b(funnel|hiring|metrics|stats|pipeline|recruit\w*)\b.*\b(report|pdf)\b",
            r"\b(report|pdf)\b.*\b(funnel|hiring|metrics|stats|pipeline|recruit\w*)\b",
        ),
        ("Funnel report", "Download our hiring report as a PDF"),
        arguments=arguments.funnel_report_args,
        render=answers.report,
    ),
    ToolSpec(
        "get_my_report",
        "candidate",
        "report",
        _rx(
            r"\b(my|a|the|full|personal)\b.*\breport\b",
            r"\bdownload\b.*\b(report|pdf)\b",
            r"\breport\b.*\b(pdf|download)\b",
            r"\b(give|send|get|email)\b.*\b(the|my) pdf\b",
            r"\bhow('?s| is) my (profile|cv|resume) (doing|performing)\b",
            r"\b(any|how many) (profile )?views\b",
            r"\b(pdf|report)\b[^?]{0,20}\b(of|on|for|about) my (profile|cv|resume)\b",
        ),
        ("My report", "Download my report", "Give me my career report as a PDF"),
        arguments=arguments.background,
        render=answers.report,
    ),
    # contact requests: before visibility ("allow ... contact") and candidate searches
    ToolSpec(
        "answer_contact_request",
        "candidate",
        "contact answer",
        _rx(
            r"\b(accept|agree|allow|approve|say yes|consent|decline|refuse|reject|deny|"
            r"withdraw|revoke|say no)\b.*\b(contact|consent)",
            r"\b(they|employer|company)\b.*\b(may|can)\b.*\bcontact me\b",
            r"^\W*(yes|yeah|ok|okay|sure),?\s+[A-Z][\w&.' -]{1,40}\s+(may|can)\s+contact me\b",
            r"\b(accept|approve|decline|refuse|reject|deny)\b[^.]*'s request\b",
            r"\b(accept|approve|decline|refuse|reject|deny)\s+(that|this|the)\s+request\b",
            r"\brequest\b[^.?!]{0,60}\bi (accept|decline|refuse)\b",
            # verb last, as German has it: "Die Kontaktanfrage von der Müller GmbH bitte ablehnen"
            r"\bcontact request\b[^.?!]{0,60}\b(please\s+)?(accept|decline)\W*$",
            r"\bsay (yes|no) to (the|that|this) request\b",
            r"\b(accept|decline|refuse)\b[^.?!]{0,20}\b(first|second|third|last)\s+request\b",
            r"\b(share|give|send|pass on) (them |him |her )?my (contact )?(details|number|e-?mail|info\w*)\b",
            r"^\W*tell\s+(the\s+)?[\w&.-]+(\s+[\w&.-]+)?\s+(yes|no)\b",
            # "accept the one from hotel miramar pls"
            r"^\W*(please\s+)?(accept|decline|refuse|reject)\s+(the\s+)?(one|request)\s+from\s+\w",
        ),
        ("Accept the contact request", "Decline the contact request", "Yes, they may contact me"),
        arguments=arguments.answer_contact_args,
        render=answers.contact_answer,
        writes=True,
    ),
    ToolSpec(
        "get_contact_requests",
        "candidate",
        "contact requests",
        _rx(
            r"\bcontact requests?\b",
            r"\bwho\b.*\b(wants?|asked|would like)\b.*\bcontact\b",
            r"\b(employers?|compan(y|ies)|recruiters?)\b.*\binterested in me\b",
            r"\b(employers?|compan(y|ies)|recruiters?|anyone|anybody)\b.*\b(ask\w*|want\w*|tr(y|ied|ying))\b"
            r".*\b(contact|reach|get in touch|talk to me|speak (to|with) me|chat with me|hear from me)\b",
            # "who's been trying to contact me?", "any recruiters reached out to me yet?"
            r"\bwho('?s| has| have)?\s+(been\s+)?(trying to\s+)?(contact\w*|reach\w*)\s+(out\s+to\s+)?me\b",
            r"\b(employers?|compan(y|ies)|recruiters?|anyone|anybody)\b[^?]{0,20}\b(reached out|contacted me|"
            r"been in touch)\b",
        ),
        ("Who wants to contact me?", "My contact requests"),
        arguments=arguments.no_arguments,
        render=answers.contact_requests,
        kind="contact_requests",
        items="requests",
    ),
    ToolSpec(
        "request_contact",
        "employer",
        "contact request",
        _rx(
            r"\b(ask|request|reach out|get in touch|contact|message|e-?mail|ping)\b.*(\b(candidate|applicant|them|"
            r"number \d|no\.? ?\d|the (first|second|third|fourth|fifth|top|last)\b)|(?<!\w)#\d)",
            r"\b(may|can) we contact\b",
            r"\b(check|ask|see|find out)\b[^?]{0,60}\b(happy|willing|open|ok|okay) to (be(ing)? contacted|hear(ing)? from us|talk|chat|(a|an) (chat|call|conversation|interview))\b",
            r"\b(ask|check)\s+((him|her|them)\s+|[\w.]+\s+){0,3}(whether|if)\s+(we|i)\s+(can|could|may)\s+"
            r"(get in touch|contact|reach out|talk|speak)\b",
            r"\b(talk|speak) (to|with)\b.*\b(candidate|applicant|one|#?\d)\b",
            # "number 3 - send her a contact request"
            r"\b(send|make|submit)\s+((him|her|them)\s+)?(a\s+)?contact requests?\b",
        ),
        (
            "Ask candidate 1 if we may contact them",
            "Request contact with the top candidate",
            "Can we contact the second applicant?",
        ),
        arguments=arguments.request_contact_args,
        render=answers.contact_asked,
        writes=True,
    ),
    ToolSpec(
        "set_visibility",
        "candidate",
        "visibility settings",
        _rx(
            r"\b(opt[ -]?(in|out)|hide me|unhide me)\b",
            r"^\W*(please\s+|pls\s+|can you\s+)*(hide|unhide) my (profile|resume|cv)\b",
            r"\b(stay|be|remain|keep me)\s+(hidden|invisible|private|anonymous)\b",
            r"\b(don'?t|do not) want\b.*\b(companies|employers|recruiters)\b.*\bsee (me|my profile|my cv|my resume)\b",
            r"\b(let|allow|stop|don'?t let)\b.*\b(employers?|companies|recruiters)\b.*\b(find|see|contact|view)\w*",
            r"\bi want (companies|employers|recruiters) to (be able to )?(see|find|view|contact) (me|my profile|my cv|my resume)\b",
            r"\bmakes? (me|myself|my profile|my resume|my cv)\b.*\b(public|private|visible|hidden|invisible)\b",
            r"\b(i'?m|i am) (happy|fine|ok|okay|glad) for (recruiters|employers|companies) to (see|find|view|contact) "
            r"(me|my profile|my cv|my resume)\b",
            r"\b(switch|set|turn|put|change)\s+(me|my profile|my resume|my cv)\s+(to|back to)\s+(public|private|visible|hidden|invisible)\b",
            r"\b(show|hide) (me|my profile|my resume|my cv) (to|from) (employers|recruiters|companies)\b",
            # "I don't want recruiters seeing my profile ... can you hide it"
            r"\b(profile|cv|resume)\b[^?]{0,80}\b(can (you|u)\s+|please\s+|pls\s+)?hide (it|that)\b(?!\s+from me)",
            # "I'd rather recruiters couldn't find me" (a wish, not "recruiters can't find me")
            r"\b(rather|prefer|wish|make sure|so that)\b[^.?!]{0,20}"
            r"\b(employers?|recruiters?|companies|my (boss|manager|employer))\b[^.?!]{0,30}"
            r"\b(can'?t|couldn'?t|cannot|could not|wouldn'?t|would not|won'?t)\s+(find|see|view|contact)\s+me\b",
        ),
        ("Let employers find me", "Hide my profile from employers", "Make my resume visible"),
        arguments=arguments.visibility_args,
        render=answers.visibility,
        writes=True,
    ),
    ToolSpec(
        "draft_cover_letter",
        "candidate",
        "cover letter draft",
        _rx(r"\bcover(ing)?[ -]?letter\b", r"\bmotivation(al)? letter\b"),
        ("Write a cover letter for the first job", "Draft a cover letter for this role"),
        arguments=arguments.candidate_job_args,
        render=answers.cover_letter_draft,
        kind="draft",
        llm_writes=True,  # a configured model writes better prose from the same facts
    ),
    ToolSpec(
        "draft_summary",
        "candidate",
        "summary draft",
        _rx(
            r"\b(summary|personal statement|profile statement|about me|elevator pitch|profile blurb|blurb|bio)\b.*"
            r"\b(strong\w*|better|improve\w*|punch\w*|rewrite|write|draft|tighten|sharpen|fix|make it sound)\b",
            r"\b(strengthen|improve|rewrite|write|draft|tighten|sharpen|polish|fix|better|punch up|"
            r"spruce up|jazz up|liven up|beef up)\b.*"
            r"\b(summary|personal statement|profile statement|about me|elevator pitch)\b",
            # "need a 3 line personal statement for the top of my cv"
            r"\b(need|want|give me|get me)\b[^.?!]{0,20}\b(summary|personal statement|profile statement|"
            r"elevator pitch|bio)\b[^.?!]{0,30}\b(for|on|at)\b[^.?!]{0,15}\bmy (cv|resume)\b",
        ),
        ("Make my summary stronger", "Improve the summary on my CV", "Write me a profile summary"),
        arguments=arguments.summary_draft_args,
        render=answers.summary_draft,
        kind="draft",
        llm_writes=True,  # a configured model writes better prose from the same facts
    ),
    ToolSpec(
        "accept_rewrite",
        "candidate",
        "rewrite acceptance",
        _rx(
            # not "keep my original CV and forget the new version"
            r"^(?!.*\b(original|old|previous|discard|reject|forget|bin|ditch|scrap|don'?t|do not|no thanks)\b)"
            r".*\b(accept|approve|keep|apply|use|save)\b.*\b(rewrite|rewritten|new version|changes|tailored)\b",
            r"\b(rewrite|rewritten (one|version|cv|resume)|new version)\b[^?]*\b(save|keep|use|accept)\b[^?]*\bas my (cv|resume)\b",
            # "Looks good to me. Keep that version.", "go with the new one, make it my main cv"
            # (a question about it, "should I keep that version?", asks: see intents)
            r"^(?!.*\b(original|old|previous|discard|reject|forget|bin|ditch|scrap|don'?t|do not|no thanks)\b)"
            r".*\b(keep|go with|save)\s+(that|this|the new|the tailored|the rewritten)\s+(one|version|cv|resume)\b"
            r"(?!\s+(short|brief|simple|concise|formal|casual|professional|under|to|in|for|as|on|at|up|"
            r"going|open|quiet|safe|private|hidden|general|vague|clean|tidy|plain|light)\b)",
            r"\bmake (it|that|this|the new one) my (main|new|default|current) (cv|resume)\b",
            r"\b(save|keep|use) (it|that|this|the new one|the new version) as my( main| new| default| current)? (cv|resume)\b",
            r"^(?!.*\b(old|original|previous|don'?t|do not)\b)[^?]*\b(that|this|the new|the rewritten) version\b"
            r"[^?]{0,40}\bkeep it\b[^?]*$",
        ),
        ("Accept the rewrite", "Use the new version of my resume"),
        arguments=arguments.no_arguments,
        render=answers.rewrite_accepted,
        writes=True,
    ),
    ToolSpec(
        "reject_rewrite",
        "candidate",
        "rewrite rejection",
        _rx(
            # (not "discard my draft message to the employer, I'll write it again")
            r"\b(reject|discard|decline|drop (the|it|this|that)|throw away)\b"
            r"(?!\s+(my|the|that|this)\s+(draft|message|e-?mail|note|search|application|filter|chat|"
            r"conversation|question|comment|review)\b).*\b(rewrite|rewritten|new version|changes|it|"
            r"tailored (version|one|cv|resume))\b",
            r"\b(prefer|keep|stick with|go back to) (my |the )?(old|original|previous|first)( (one|version|cv|resume))?\b",
            r"\bsay no to (the|this|that) (rewrite|new version|rewritten (one|version|cv|resume))\b",
            r"\b(bin|ditch|scrap|trash|get rid of)\s+(the|that|this)\s+(rewrite|rewritten (one|version|cv|resume)|"
            r"new version|version|tailored (one|version|cv|resume))\b",
        ),
        ("Reject the rewrite", "Discard the new version"),
        arguments=arguments.no_arguments,
        render=answers.rewrite_rejected,
        writes=True,
    ),
    ToolSpec(
        "show_rewrite",
        "candidate",
        "rewrite viewer",
        _rx(
            r"\b(show|see|view|display|what|where|where'?s)\b.*\b(rewrite|rewritten|diff|differences|changes|new version|"
            r"(tailored|updated|improved) (one|version|cv|resume))\b",
            r"\bis (my|the) rewrite (ready|done)\b",
            r"^\W*(the\s+|show\s+(me\s+)?(the\s+)?)?diff\W*(please|pls|plz)?\W*$",
            r"\bwhat('?s| has)? changed\b[^?]{0,30}\b(resume|cv)\b|\b(resume|cv)\b[^?]{0,30}\bwhat('?s| has)? changed\b",
            r"\bwhat (\w+ly )?(did |have )?(you|u) (\w+ly )?(changed?|edited|rewrote|modified)\b",
        ),
        ("Show me the rewrite", "What changed in the new version?"),
        arguments=arguments.no_arguments,
        render=answers.rewrite_diff,
        kind="rewrite",
    ),
    ToolSpec(
        "request_rewrite",
        "candidate",
        "rewrite request",
        _rx(
            r"\b(rewrite|tailor|adapt|rework|optimi[sz]e|customi[sz]e)\b.*\b(resume|cv|for)\b",
            # "my cv for the nurse job", not "my CV was done by ... never applied for a job"
            r"\b(resume|cv)\b[^.?!]{0,25}\b(for|to fit|to match)\b[^.?!]{0,40}\b(job|role|position|one|it)\b",
        ),
        (
            "Rewrite my resume for this job",
            "Tailor my CV to the first job",
            "Adapt my resume for the second role",
        ),
        arguments=arguments.candidate_job_args,
        render=answers.rewrite_started,
        kind="task",
        llm_writes=True,
    ),
    # career questions: before match explanations ("what skills am I missing") and searches
    ToolSpec(
        "skills_to_learn",
        "candidate",
        "skills to learn",
        _rx(
            r"\b(what|which)\b.*\b(should|could|do|must)\b.*\b(i|me)\b.*\b(learn\w*|stud(y|ying)|pick(ing)? up|focus(ing)? on|improv(e|ing))\b",
            r"\b(skills?|courses?|certifications?)\b.*\b(learn|study|pick up|take) next\b",
            r"\bwhat (skills?|tech\w*) (to|should i) (learn|study)\b",
            r"\b(skills?|courses?|certs?|certifications?)\b.*\b(worth|should i)\b.*\b(learn\w*|study\w*|pick(ing)? up|getting)\b",
            r"\bwhat to learn\b|\bwhat i should (learn|study)\b",
            # "which skills am I missing for jobs like mine?" (not about one job: "for the
            # Frontend Developer role", "the third one", "that job")
            r"^(?![^?]*\b((the|this|that)\b[^?]{0,60}\b(one|job|role|position|opening|vacancy|posting)\b"
            r"|the (first|second|third|fourth|fifth|last|\d+\w*)\b|#\d|number \d))"
            r"[^?]*\bskills?\b[^?]*\b(am i|i'?m)\s+(missing|lacking)\b",
            r"\bskills?\b.*\b(boost|improve|increase|raise)\b.*\bchances?\b",
            r"\bwhich skills\b[^?]*\b(would|could|will|might)\b[^?]*\b(open (doors|up)|help me|get me|make me)\b",
            r"\b(what|which)\s+skills?\s+(should\s+)?i\s+(should\s+)?(learn|study|pick up)\b",
        ),
        (
            "What should I learn next?",
            "Which skills should I pick up to get more jobs?",
            "what skills to learn",
        ),
        arguments=arguments.no_arguments,
        render=careers.skills_to_learn,
        kind="answer",
    ),
    ToolSpec(
        "my_skills_in_demand",
        "candidate",
        "skill demand",
        _rx(
            r"\b(my|of my)\b.*\bskills?\b.*\b(in demand|demand|wanted|sought|popular|valuable|needed|asked for|hottest|hot|worth)\b",
            r"\bskills?\b[^?]{0,20}\bmy (cv|resume)\b[^?]{0,20}\b(hot|in demand|wanted|sought after|valuable|popular)\b",
            r"\b(which|what)\s+(bits|parts)\b[^?]{0,20}\bmy (cv|resume|skills)\b[^?]{0,30}\b(employers?|recruiters?|companies)\b"
            r"[^?]{0,20}\b(after|want\w*|looking for|value)\b",
            r"\b(which|what)\b.*\bskills?\b.*\bi have\b.*\b(demand|wanted|sought|popular|valuable)\b",
            r"\b(demand|market)\b.*\bfor my skills\b",
            # "Out of everything on my CV, what's most marketable?"
            r"\bmy (cv|resume|profile)\b[^?]{0,40}\b(most (marketable|valuable|in[- ]demand|wanted|sought[- ]after)|hottest)\b",
            r"\bmy\b.*\b(in[- ]demand|wanted|sought[- ]after|popular|valuable|marketable)\b.*\bskills?\b",
            r"\b(in[- ]demand|wanted|sought[- ]after|popular|valuable)\b.*\b(of|out of|among) my skills\b",
            r"\b(which|what)\b[^?]{0,20}\bskills?\b[^?]{0,30}\b(wanted|in demand|sought after|asked for)\b"
            r"[^?]{0,30}\b(the ones i (have|got)|i (have|got)|of mine)\b",
        ),
        (
            "Which of my skills are most in demand?",
            "Are my skills in demand?",
            "which skills of mine do employers want most",
        ),
        arguments=arguments.no_arguments,
        render=careers.skills_in_demand,
        kind="answer",
    ),
    ToolSpec(
        "candidates_missing_skills",
        "employer",
        "candidate skill gaps",
        _rx(
            r"^(?!.*\b(vs\.?|versus)\b).*\b(candidates?|applicants?|people|talent|they)\b.*\b(missing|lack\w*|miss|short on|without|gaps?)\b",
            r"\b(skills?|gaps?)\b.*\b(candidates?|applicants?|talent pool)\b.*\b(missing|lack\w*|don'?t have|short)\b",
            r"\b(missing|lacking)\b.*\b(skills?)\b.*\b(candidates?|applicants?|pool)\b",
            r"\bskills? gaps?\b",
            r"\b(most common|commonest|biggest|main|typical)\s+(skills?\s+)?gaps?\b",
            r"\b(candidates?|applicants?)\b.*\b(don'?t|do not|doesn'?t|does not|never|rarely|not)\b(\s+\w+)?\s+have\b",
        ),
        (
            "What are candidates missing most?",
            "Which skills do applicants lack?",
            "skill gaps in our candidate pool",
        ),
        arguments=careers.employer_job_args,
        render=careers.candidate_gaps,
        kind="answer",
    ),
    ToolSpec(
        "salary_benchmark",
        "employer",
        "salary benchmark",
        _rx(
            r"\b(salary|pay|wage|compensation|offer)\b.*\b(competitive|market|benchmark|fair|enough|too low|too high|"
            r"compare|average|typical|decent|lowball\w*|low-ball\w*)\b",
            r"\b(competitive|benchmark|market rate)\b.*\b(salary|pay|wage|compensation|range)\b",
            r"\b(are|is) we paying\b",
            r"(£|\$|€|\b)\d[\d,.]*\s*k?\b.*\b(competitive|market rate|below market|above market)\b",
            r"\b(under|over)-?pay\w*\b|\bpaying (too little|too much)\b",
            # "is 70k ok for a mid-level data engineer in berlin?"
            r"(^|[.!?]\s+)\W*(is|would|will)\s+(be\s+)?(£|\$|€)?\d[\d,.]*\s*k?\b[^.?!]{0,25}\b(ok|okay|enough|fair|good|decent|"
            r"reasonable|competitive|too low|low|high)\b[^.?!]{0,10}\bfor\b",
            # "we're offering 28k for nurses in leeds, will anyone bite?"
            r"\bwe('re| are)? (offering|paying|pay|offer)\b[^.?!]*(£|\$|€|\b)\d[\d,.]*\s*k?\b[^!]{0,100}\?",
        ),
        (
            "Is my salary range competitive?",
            "How does our pay compare to the market?",
            "benchmark the salary of our nurse job",
        ),
        arguments=careers.employer_job_args,
        render=careers.salary_benchmark,
        kind="answer",
    ),
    ToolSpec(
        "occupation_info",
        "both",
        "career knowledge",
        _rx(
            r"\bwh?at (\w+ly )?(does|dose|do|did) (\w+ly )?(an?|the) [^?]{2,60}? (do|does)\b",
            r"\bwhat'?s (an?|the) [^?]{2,60}? (\w+ly )?do\b(?! you\b)",
            # "what skills do I need to become a site foreman"
            r"\bwhat (skills?|qualifications?|certs?|certifications?)\b[^?]{0,20}\bdo i need\b[^?]{0,10}"
            r"\bto (be(come)?|work as|get into)\b",
            # "what does a freight dispatcher make these days?"
            r"\b(wh?at|how much) (does|do|would|could|can) (an?|the) [^?]{2,60}? (make|earn|get paid)\b",
            r"\b(wh?at|how much) (an?|the) [^?]{2,60}? (makes|earns|gets paid)\b",
            # "what do hgv class 1 drivers earn these days"
            r"\b(wh?at|how much) (do|can|would) [a-z][^?]{1,60}?s (earn|get paid|take home)\b",
            r"\bhow (do|does|can|would|could|did|to) (i |you |one |someone |somebody |a person )?(become|get into|break into|train as|qualify as|start as|work as|end up as|retrain as)\b",
            r"\bwhat (skills?|qualifications?|tech\w*|tools)\b.*\b(does|do|would|should|for)\s+(an?|the)\b.*\b(need|require|use|have)\b",
            # "what does a data engineer actually need to know?"
            r"\bwhat (does|do) (an?|the) [^?]{2,60}? (\w+ly )?need to (know|learn|have)\b",
            r"\b(skills?|qualifications?|degree|diploma|certificate|licence|license|training)\b.*\b(needed|required|necessary)\b"
            r".*\b(for|to be(come)?)\s+(an?|the)?\b",
            r"\bwhat (does it take|do i need) to be(come)? (an?|the)\b",
            r"\bhow long (does it|would it|will it) take to (become|qualify as|train as)\b",
            r"\b(duties|responsibilities|day to day) (of|for) (an?|the)\b",
            r"\b(the )?(job|role|work|career) of (an?|the)\s+\w+",
            r"\bwhat('?s| is) it like (to be|being|to work as|working as) (an?|the)\b",
            r"\btell me about (being|working as|becoming) (an?|the)\b",
        ),
        (
            "What does a nurse do?",
            "How do I become a data analyst?",
            "What skills does an electrician need?",
            "tell me about the plumber occupation",
            "what is a software developer's job like",
        ),
        arguments=careers.occupation_args,
        render=careers.occupation,
        kind="answer",
    ),
    ToolSpec(
        "explain_match",
        "candidate",
        "match explainer",
        _rx(
            r"\b(explain|why|gap|close the gap|what am i missing|missing for|how (well )?do i (fit|match))\b",
            r"\b(am i|would i be) (good enough|qualified|a good fit|right|suitable) for\b",
            r"\bdo i (\w+ly )?qualify\b",
            r"\bmore (about|on|details)\b.*\b(job|role|match|one)\b",
        ),
        (
            "Explain the first match",
            "Why do I match this job?",
            "What skills am I missing for the second role?",
        ),
        arguments=arguments.candidate_job_args,
        render=answers.explain,
        kind="match",
    ),
    ToolSpec(
        "critique_my_resume",
        "candidate",
        "resume critique",
        _rx(
            r"\b(critique|feedback|review|improve|assess|evaluate|rate|score|check|proofread|grade|"
            r"look over|go over|go through|roast)\b.*\b(resume|cv)\b",
            r"\b(resume|cv)\b.*\b(good|bad|weak|better|improve\w*|feedback|score|rating|grade|critique|assess|evaluate|review|"
            r"rubbish|crap|terrible|awful|any good|honest)\b",
            r"\bwhat do you think (of|about)\b.*\b(resume|cv)\b",
            r"\bwhat should i (fix|change|improve)\b|\bwhat would (you|u) change\b",
            r"\b(wrong|mistakes?|errors?|tips|strong enough|weak)\b.*\b(resume|cv)\b",
            r"\b(resume|cv)\b.*\b(mistakes?|errors?|tips|wrong)\b",
            r"\b(what'?s|what is|anything)\s+(weak|wrong|bad)\s+(about|with|in)\s+(it|mine)\b",
        ),
        ("Critique my resume", "How can I improve my CV?", "Is my resume any good?"),
        arguments=arguments.no_arguments,
        render=answers.critique,
        kind="critique",
        llm_writes=True,
    ),
    ToolSpec(
        "find_matching_jobs",
        "candidate",
        "job matching",
        _rx(
            rf"^(?!.*{_ON_MY_CV})\b{_JOBS}\b.*\b(match|fit|suit|for me|best|recommend|good|right)\w*",
            # not the jobs the resume lists ("which jobs have I had according to my cv",
            # "which jobs did u find on my cv")
            rf"^(?!.*{_ON_MY_CV}).*\b(find|search|look|recommend|suggest|show|any|which|what)\b.*\b{_JOBS}\b",
            r"\bmatch(es|ing)?\b.*\b(resume|cv|me)\b",
            r"\b(what'?s|anything|something) out there\b",
            r"\b(recommend|suggest)\b.*\b(something|anything)\b.*\bfor me\b",
            r"\bfor (someone|somebody|people) (like me|with my)\b",
            r"^\W*find me (something|anything|a job)\W*$",
            r"^\W*(have you |you )?(got|have|any)\s+(anything|something)\s+(new\s+)?for me\b",
        ),
        (
            "Which jobs match my resume best?",
            "Find me jobs",
            "What roles would suit me?",
            "Show me suitable openings",
            "nurse jobs in Leeds",
            "remote software developer roles",
            "part-time work near me",
            "vacancies for accountants",
            "anything in sales paying over 30k",
            "I am looking for work",
        ),
        arguments=arguments.job_search_args,
        render=answers.jobs,
        kind="jobs",
        items="matches",
    ),
    ToolSpec(
        "export_my_resume",
        "candidate",
        "resume export",
        _rx(
            # not "save that version as my cv": that keeps a rewrite
            r"\b(export|download|save)\b(?!\s+(that|this|the new|the rewritten) (version|one))"
            r".*\b(resume|cv)\b",
            r"\bjson ?resume\b",
            r"\b(resume|cv)\b.*\b(as|in|to) (a )?(json|file)\b",
            r"\b(move|take|transfer|import)\b.*\b(resume|cv)\b.*\b(another|other) "
            r"(site|website|platform|builder)\b",
        ),
        ("Export my resume", "Download my CV as JSON", "Give me my resume in JSON Resume format"),
        arguments=arguments.no_arguments,
        render=answers.export,
    ),
    ToolSpec(
        "read_my_resume",
        "candidate",
        "resume reader",
        _rx(
            r"\b(read|show|see|what'?s in|summari[sz]e|open)\b.*\b(my )?(resume|cv)\b",
            r"\bwhat (skills|experience) do i have\b",
            r"\bwhat does my (resume|cv|profile) say\b",
            r"\b(have i had|according to my (cv|resume))\b",
            r"\bhow (many|much)\b[^?]*\b(years?|experience)\b[^?]*\b(i (have|had|got)|have i (got|had|worked))\b",
            r"\bmy (total )?years of experience\b",
            r"\b(years?|experience)\b[^?]{0,30}\bdoes my (cv|resume|profile) (actually |really )?(show|say|have)\b",
            r"\b(years?|experience|skills)\b.*\b(did|do|have) (you|u) (get|find|read|see|count|work out|calculate)\w*\b",
            # German word order, glossed: "how many years experience did you from my resume read"
            r"\b(years?|experience)\b[^?]*\b(did|have) (you|u)\b[^?]*\b(read|found|got|counted)\b",
            # "what did you actually pick up from my cv"
            r"\b(what|which)\b[^?]{0,30}\b(did|have) (you|u)\b[^?]{0,20}\b(pick(ed)? up|pull(ed)?( out)?|get|got|find|found|read|see|saw|extract\w*|take|took)\b"
            r"[^?]{0,20}\b(from|in|on|of) (my |the )?(cv|resume)\b",
            # "just uploaded my cv. what did you actually pick up from it?"
            r"\b(cv|resume)\b[^?]{0,40}\bwhat (did|have) (you|u) (\w+ly )?(pick(ed)? up|get|got|read|find|found|see|saw)\b",
            # "I've uploaded my CV ... Could you tell me what you picked up from it?"
            r"\bwhat (you|u)('ve| have)? (\w+ly )?(picked up|got|read|found|saw|pulled( out)?|extracted)\s+"
            r"(from|in|out of) (it|my (cv|resume))\b",
        ),
        ("What is in my resume?", "Summarise my CV", "What skills do I have?"),
        arguments=arguments.no_arguments,
        render=answers.resume,
        kind="resume",
    ),
    # employer
    ToolSpec(
        "compare_candidates",
        "employer",
        "candidate comparison",
        _rx(
            r"\bcompare\b",
            # not "how many applied vs hired", "applications vs hires"
            r"^(?!\W*how many\b)(?!.*\b(applications?|applicants?|hires|interviews|offers)\s+(vs\.?|versus)\b)"
            r".*\b(vs\.?|versus)\b",
            r"\bwho is better\b",
            r"\bside by side\b",
            r"\b(differ|difference between)\b",
            r"\b(which|who) is (stronger|better)\b",
            r"\bstacks? up\b",
            r"\b(next to each other|head to head)\b",
        ),
        ("Compare the top two candidates", "Candidate 1 versus candidate 2"),
        arguments=arguments.compare_args,
        render=answers.comparison,
        kind="candidates",
        items="candidates",
    ),
    ToolSpec(
        "find_candidates",
        "employer",
        "candidate matching",
        _rx(
            # "how many applicants made it to interview": the funnel's numbers
            rf"^(?!\W*how many\b).*\b{_CANDS}\b.*\b(for|match|fit|suit|best|top)\b",
            rf"^(?!\W*how many\b).*\b(find|search|look|show|who|any|best|top)\b.*\b{_CANDS}\b",
            r"\bwho\b[^?]*\b(fits|matches|suits|would fit|is right for)\b",
            # "pull the pipeline for the backend engineer req", "Source for the Data Engineer req:"
            r"\b(pull|show|give me|get)\b[^?]{0,20}\bpipeline for\b|\bsource\s+(candidates\s+|people\s+)?for\s+(the|our)\b",
            # "lookin for a bar manager for the pub, who've ye got?"
            r"\bwho('?ve| have| do)\s+(ye|you|u|we|yous)\s+(got|have)\b",
        ),
        (
            "Find candidates for the data engineer job",
            "Who fits our backend role best?",
            "Show me the top applicants",
        ),
        arguments=arguments.candidate_search_args,
        render=answers.candidates,
        kind="candidates",
        items="matches",
    ),
    ToolSpec(
        "hiring_funnel",
        "employer",
        "hiring funnel",
        _rx(
            r"^(?!.*\bwho\b[^?]*\b(fits?|match\w*|suits?)\b)"
            r".*\b(funnel|metrics|stats|statistics|analytics|kpis?|numbers|pipeline|dashboard)\b",
            r"\bhow many\b.*\b(resumes?|uploads?|matches|candidates?|applicants?|tasks)\b",
            r"\bhow many\b[^?]{0,25}\b(applied|got interviewed|were interviewed|(we|you) (\w+ )?(contacted|interviewed|hired|shortlisted))\b",
            r"\bhow many\b[^?]{0,30}\b(got|made it|went|came|get|make it)\s+(to|through to|as far as)\s+(the\s+)?(interview|offer)",
            r"\bhow many\b[^?]*\b(people|folks|ppl)\b[^?]*\b(applied|apply|signed up|uploaded|interview\w*|"
            r"view\w*|saw|seen|looked at|clicked)\b",
            r"\bhow('?s| is| are)\b.*\b(hiring|recruiting|recruitment)\b.*\b(going|doing|looking)\b",
            r"\bhow('?s| is| are) (we|it|things) (doing|going|looking)\b[^?]*\b(hiring|recruit\w*)\b",
            # "applications vs hires over the last 90 days", "drop-off after interview"
            r"\b(applications?|applicants?)\s+(vs\.?|versus|against|to)\s+(hires|interviews|offers)\b",
            r"\bdrop-?offs?\b[^?]{0,30}\b(interview|offer|stage|application)\b",
            # "where are we losing people in the process?"
            r"\bwhere\b[^?]{0,30}\b(losing|lose|drop(ping)? off|fall(ing)? off|drop out)\b",
        ),
        ("Show the hiring funnel", "How are we doing this month?", "Give me our hiring metrics"),
        arguments=arguments.days_args,
        render=answers.funnel,
        kind="funnel",
    ),
    ToolSpec(
        "list_my_jobs",
        "employer",
        "job list",
        _rx(
            rf"\b(list|show|which|what|pull up|bring up)\b.*\b(our|my)\b.*\b{_JOBS}\b",
            rf"\b(our|my) ({_JOBS}|internships|apprenticeships)\b",
            rf"\b{_JOBS}\b.*\b(have we|do we have|we('ve| have)? (posted|published|advertised?))\b",
            rf"\b{_JOBS}\b.*\bwe\b(\s+\w+){{0,2}}\s+(advertis\w*|post\w*|publish\w*|list\w*|run\w*|offer\w*)\b",
            rf"\b{_JOBS} of ours\b",
            r"\b(list|show|which|what|any)\b[^?]{0,30}\b(drafts|unpublished)\b|\b(our|my) drafts\b",
            r"\b(show|list)\b[^?]{0,20}\b(everything|all)\b[^?]{0,20}\bwe('ve| have)?\s+(got\s+)?(open|live|posted|published|up)\b",
            rf"\b{_JOBS}\b[^?]*\bwe\b(\s+\w+){{0,2}}\s+(have|got)\s+(live|open|up|running|published|advertised|posted)\b",
            # "is the warehouse operative job still live or did someone close it?": its status
            rf"^\W*(is|are)\s+(the|our|my|that|this)\s+[^?]{{0,40}}\b{_JOBS}\s+(still\s+)?(live|up|open|published|online|active|running|advertised)\b",
            # "what roles have i got live right now"
            rf"\b(what|which)\s+{_JOBS}\s+(have|do)\s+(i|we)\s+(got\s+)?(live|open|up|running|advertised|posted|out)\b",
        ),
        ("List our jobs", "Which roles do we have open?"),
        arguments=arguments.job_list_args,
        render=answers.job_list,
        kind="jobs",
        items="jobs",
    ),
)

SPEC_BY_NAME: dict[str, ToolSpec] = {spec.name: spec for spec in SPECS}


def result_items(name: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """A tool's result as integrators get it: `{kind, tool, items}`; None for a failure or a
    question (the reply says those)."""
    spec = SPEC_BY_NAME.get(name)
    if spec is None or "error" in data or data.get("confirmation_required"):
        return None
    found = data.get(spec.items) if spec.items else None
    items = found if isinstance(found, list) else [data]
    return {"kind": spec.kind, "tool": name, "items": items}


def tool_label(name: str) -> str:
    spec = SPEC_BY_NAME.get(name)
    return spec.label if spec else name.replace("_", " ")
