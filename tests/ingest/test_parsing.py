"""Resume and job parsing: sections, dates and years, contacts and masking, job
requirements. The RJDB_* texts are shortened examples from the rjdb data set
(Megagon Labs, CC BY-SA 4.0; synthetic people)."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.parsing import (
    find_contacts,
    find_date_ranges,
    mask_personal_data,
    parse_job,
    parse_resume,
    restore,
    total_years,
)
from ingest.parsing.requirements import requirement_phrases

TODAY = date(2024, 6, 15)

RESUME = """Jane Q. Doe
Senior Software Engineer
jane.doe@example.org | +1 (415) 555-0134 | linkedin.com/in/janedoe | https://github.com/janedoe
742 Evergreen Terrace, Springfield

SUMMARY
Backend engineer who likes Go and PostgreSQL.

Work Experience
Senior Software Engineer at Acme Corp
Jan 2019 – Present
- Built services in Go and Python on Kubernetes.
- Mentored four engineers.

Acme Corp | Software Engineer | 03/2016 - 02/2019
• Wrote Java microservices.

Globex — Intern (Jun 2015 – Aug 2015)

EDUCATION
B.Sc. Computer Science, State University, 2011 - 2015

Skills: Python, Go, R, SQL, Docker, Excel
Certifications
- AWS Certified Solutions Architect
Languages
English, Spanish (fluent)

References: Jane Q. Doe can provide on request.
"""

RJDB_RESUME = """## Personal Information
Name: Azaria Watson
Email: azaria_watson@example.com

## Education
Bachelor's degree in Computer Engineering

## Skills
1. Customer Service
2. Networking
3. VMware
4. Windows

## Experience
1. Junior Systems Admin/Engineer (2019 - 2023)
2. SOC Security Analyst - SecureWorks Providence (2014 - 2019)
3. Desktop Support Analyst with Mac Experience (2013 - 2014)
"""

RJDB_JOB = """## Job title
Junior Systems Admin/Engineer

## Job Summary
We are seeking a skilled Junior Systems Admin/Engineer to work with our tech team.

## Required Skills
1. Customer Service: Experience in helping clients and employees with technical issues.
2. Networking: Workflow proficiency includes TCP/IP networking skills.
3. VMware: Experience in managing and troubleshooting VMware environments.
4. Windows: Proficient use and troubleshooting of the Windows platform.

## Required Experience
1. Has spent at least 4 years working as a Junior Systems Admin/Engineer.
2. Has previous experience as an SOC Security Analyst for 5 years.

## Responsibilities
1. Applying project management practices.
"""

RJDB_JOB_WORDS = """## Job title
Helpers - construction trades

## Required Skills
- Time Management Skills: Ability to allocate resources effectively.
- Communication Skills: Ability to verbalize and understand instructions well.

## Required Experience
-1 year previous experience as a Helpers - construction trades.
- 3 years as a Farmworkers and laborers - crop - nursery - and greenhouse.
"""

POSTING = """Senior Data Engineer
Location: Berlin, Germany
Employment type: Full-time
Hybrid: two days a week in the office.

About the role
You'll build pipelines in Python and Spark for our analytics team.

Minimum qualifications
- 5+ years of experience in data engineering
- Strong SQL and Python
- Experience with Airflow or dbt

Nice to have
- Kubernetes, Terraform
- Go is a plus

Benefits
- Free Excel training
"""


# --- resume sections ---------------------------------------------------------------


def test_resume_sections() -> None:
    resume = parse_resume(RESUME, today=TODAY)
    assert resume.summary == "Backend engineer who likes Go and PostgreSQL."
    assert resume.education == ["B.Sc. Computer Science, State University, 2011 - 2015"]
    assert resume.skills_listed == ["Python", "Go", "R", "SQL", "Docker", "Excel"]
    assert resume.certifications == ["AWS Certified Solutions Architect"]
    assert resume.languages == ["English", "Spanish (fluent)"]
    assert "Mentored four engineers." in resume.sections["experience"]


def test_resume_experience_entries() -> None:
    entries = parse_resume(RESUME, today=TODAY).experience
    assert [(e.title, e.employer) for e in entries] == [
        ("Senior Software Engineer", "Acme Corp"),
        ("Software Engineer", "Acme Corp"),
        ("Intern", "Globex"),
    ]
    first, second, third = entries
    assert (first.start, first.end, first.current) == (date(2019, 1, 1), None, True)
    assert first.bullets == [
        "Built services in Go and Python on Kubernetes.",
        "Mentored four engineers.",
    ]
    assert (second.start, second.end) == (date(2016, 3, 1), date(2019, 2, 1))
    assert second.bullets == ["Wrote Java microservices."]
    assert (third.start, third.end, third.bullets) == (date(2015, 6, 1), date(2015, 8, 1), [])


def test_years_merge_overlaps_and_count_present_as_today() -> None:
    # Mar 2016 - Jun 2024 (Jan-Feb 2019 overlap counted once) + Jun - Aug 2015
    assert parse_resume(RESUME, today=TODAY).years_experience == round((100 + 3) / 12, 2)


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("2019 - 2024", 5.0),
        ("(2012-2016)", 4.0),
        ("Jan 2019 – Mar 2021", 2.25),
        ("January 2019 to March 2021", 2.25),
        ("03/2019 - present", round(64 / 12, 2)),
        ("Sept. 2020 — Current", round(46 / 12, 2)),
        ("since 2022", round(30 / 12, 2)),
        ("from 2016 to 2018", 2.0),
        ("2015 - 2020\n2018 - 2022", 7.0),
        ("2010 - 2012\n2016 - 2018", 4.0),
        ("2020 - 2018", 0.0),
        ("Call 2019 2024 now", 0.0),
    ],
)
def test_date_formats_and_years(text: str, years: float) -> None:
    assert total_years(find_date_ranges(text), TODAY) == years


def test_resume_without_experience_heading_still_counts_years() -> None:
    text = "John Smith\nWarehouse lead, Bolt Logistics, 2016 - 2021\nForklift driver 2014 - 2016\n"
    assert parse_resume(text, today=TODAY).years_experience == 7.0


def test_resume_skills_are_canonical_and_context_aware() -> None:
    resume = parse_resume(RESUME, today=TODAY)
    for skill in [
        "Go",
        "PostgreSQL",
        "Python",
        "Kubernetes",
        "Java",
        "R",
        "SQL",
        "Docker",
        "Microsoft Excel",
    ]:
        assert skill in resume.skills
    assert resume.skills.index("Go") < resume.skills.index("Docker")  # first mention first
    assert len(resume.skill_ids) == len(resume.skills)


def test_rjdb_resume() -> None:
    resume = parse_resume(RJDB_RESUME, today=TODAY)
    assert resume.years_experience == 10.0  # 2013 - 2023, end years exclusive as people count
    assert [e.title for e in resume.experience] == [
        "Junior Systems Admin/Engineer",
        "SOC Security Analyst",
        "Desktop Support Analyst with Mac Experience",
    ]
    assert resume.experience[1].employer == "SecureWorks Providence"
    # "Windows" alone counts because it is an item of the Skills list
    assert {"Customer service", "Networking", "VMware", "Microsoft Windows"} <= set(resume.skills)
    assert resume.education == ["Bachelor's degree in Computer Engineering"]


# --- contacts and masking ---------------------------------------------------------------


def test_contacts_are_located() -> None:
    found = {(c.kind, RESUME[c.start : c.end]) for c in find_contacts(RESUME)}
    assert found == {
        ("name", "Jane Q. Doe"),
        ("email", "jane.doe@example.org"),
        ("phone", "+1 (415) 555-0134"),
        ("linkedin", "linkedin.com/in/janedoe"),
        ("url", "https://github.com/janedoe"),
        ("address", "742 Evergreen Terrace, Springfield"),
    }


def test_labelled_name_and_no_false_phones_in_date_ranges() -> None:
    found = {(c.kind, RJDB_RESUME[c.start : c.end]) for c in find_contacts(RJDB_RESUME)}
    assert found == {("name", "Azaria Watson"), ("email", "azaria_watson@example.com")}


def test_mask_and_restore_round_trip() -> None:
    contacts = parse_resume(RESUME, today=TODAY).contacts
    masked, mapping = mask_personal_data(RESUME, contacts)
    for secret in ["Jane", "jane.doe@", "555-0134", "janedoe", "Evergreen"]:
        assert secret not in masked
    assert masked.startswith(
        "[NAME_1]\nSenior Software Engineer\n[EMAIL_1] | [PHONE_1] | [LINKEDIN_1] | [URL_1]"
    )
    # the name repeated further down gets the same placeholder
    assert "References: [NAME_1] can provide" in masked
    assert mapping["[EMAIL_1]"] == "jane.doe@example.org"
    assert restore(masked, mapping) == RESUME
    # text that came back from a model, rearranged, still restores
    assert (
        restore("Contact [NAME_1] at [EMAIL_1].", mapping)
        == "Contact Jane Q. Doe at jane.doe@example.org."
    )


def test_masked_text_parses_to_the_same_skills() -> None:
    masked, _ = mask_personal_data(RESUME, find_contacts(RESUME))
    assert parse_resume(masked, today=TODAY).skills == parse_resume(RESUME, today=TODAY).skills


def test_heading_is_not_taken_for_a_name() -> None:
    text = "RESUME\nJohn Smith\nSkills: Python"
    assert all(c.kind != "name" for c in find_contacts("Summary\nPython developer"))
    assert all(text[c.start : c.end] != "RESUME" for c in find_contacts(text))


# --- jobs -------------------------------------------------------------------------------


def test_posting_required_preferred_and_constraints() -> None:
    job = parse_job(POSTING)
    assert job.title == "Senior Data Engineer"
    # "experience in data engineering": a skill the lexicon does not know, in its words
    assert job.required_skills == ["data engineering", "SQL", "Python", "Apache Airflow", "dbt"]
    assert job.required_terms == ["data engineering"]
    assert job.preferred_skills == ["Kubernetes", "Terraform", "Go"]
    assert "Apache Spark" in job.mentioned_skills
    assert "Microsoft Excel" not in job.required_skills + job.preferred_skills  # benefits
    assert job.min_years == 5.0
    assert job.location == "Berlin, Germany"
    assert (job.remote, job.work_mode) == (True, "hybrid")
    assert job.employment_type == "full-time"


@pytest.mark.parametrize(
    ("line", "skills"),
    [
        ("- Experience with HACCP", ["HACCP"]),
        ("Strong negotiation skills", ["negotiation"]),
        ("Proficient in phlebotomy", ["phlebotomy"]),
        ("BLS certification", ["BLS"]),
        ("Knowledge of GDPR is a plus", ["GDPR"]),
        ("3. Fault Finding: tracing faults in control circuits", ["Fault Finding"]),
        ("HACCP, Food Safety, Menu Planning", ["HACCP", "Food Safety", "Menu Planning"]),
        ("Experience with Health and Safety", ["Health and Safety"]),  # one skill
        # not skills: years, degrees, licences, traits, duties written as sentences
        ("2+ years of experience as a financial analyst", []),
        ("A degree in computer science or related field", []),
        ("Driving licence", []),
        ("self-motivated", []),
        ("Team player with a positive attitude", []),
        ("Ability to work under pressure", []),
        ("Managed a team of 5 technicians", []),
    ],
)
def test_requirement_lines_name_skills_in_their_words(line: str, skills: list[str]) -> None:
    assert requirement_phrases(line) == skills


def test_requirements_the_lexicon_does_not_know_are_kept_in_the_posts_words() -> None:
    job = parse_job(
        "Line Cook\n\nRequirements\n- Experience with HACCP\n- Experience with Excel\n"
        "- Strong negotiation skills\n\nNice to have\n- Menu Planning\n\n"
        "About us\nWe value Food Safety and Team Spirit."
    )
    assert job.required_skills == ["HACCP", "Microsoft Excel", "negotiation"]
    assert job.required_terms == ["HACCP", "negotiation"]  # the lexicon's keep their ids
    assert job.required_skill_ids == ["microsoft-excel"]
    assert (job.preferred_skills, job.preferred_terms) == (["Menu Planning"], ["Menu Planning"])


def test_rjdb_job() -> None:
    job = parse_job(RJDB_JOB)
    assert job.title == "Junior Systems Admin/Engineer"
    assert {"Customer service", "Networking", "TCP/IP", "VMware", "Microsoft Windows"} <= set(
        job.required_skills
    )
    assert job.preferred_skills == []
    assert job.min_years == 5.0
    assert job.remote is False and job.work_mode is None


def test_rjdb_job_with_unspaced_bullets() -> None:
    job = parse_job(RJDB_JOB_WORDS)
    assert job.title == "Helpers - construction trades"
    assert job.required_skills == ["Time management", "Communication"]
    assert job.min_years == 3.0


def test_title_argument_wins() -> None:
    assert parse_job(POSTING, title="Data Engineer II").title == "Data Engineer II"


def test_cue_phrases_without_headings() -> None:
    text = (
        "We need a nurse. Patient care experience is required. You must have BLS certification "
        "and strong communication. Spanish is a plus; Epic experience preferred."
    )
    job = parse_job(text)
    assert {"Nursing care", "Communication"} <= set(job.required_skills)
    assert "Spanish" in job.preferred_skills and "Spanish" not in job.required_skills


@pytest.mark.parametrize(
    ("line", "years"),
    [
        ("5+ years of experience with Java", 5.0),
        ("At least 3 years of experience in retail", 3.0),
        ("A minimum of two years of professional experience", 2.0),
        ("Three (3) years experience as a welder", 3.0),
        ("3-5 years of relevant experience", 3.0),
        ("10 yrs experience managing teams", 10.0),
        ("Proven experience as a Stonemason: 2 years", 2.0),
        ("Our company was founded 30 years ago", None),
        ("Paid leave after 2 years", None),
    ],
)
def test_min_years(line: str, years: float | None) -> None:
    assert parse_job(f"Requirements\n- {line}").min_years == years


@pytest.mark.parametrize(
    ("text", "mode", "remote"),
    [
        ("Fully remote (EU time zones).", "remote", True),
        ("You can work from home three days a week.", "remote", True),
        ("Hybrid role, Lisbon office.", "hybrid", True),
        ("This is not a remote position; on-site in Austin.", "onsite", False),
        ("On-site at our Leeds warehouse.", "onsite", False),
        ("Join our team in Leeds.", None, False),
    ],
)
def test_remote_detection(text: str, mode: str | None, remote: bool) -> None:
    job = parse_job(f"Warehouse Lead\n{text}")
    assert (job.work_mode, job.remote) == (mode, remote)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Part-time, 20 hours a week", "part-time"),
        ("12-month contract", "contract"),
        ("Summer internship", "internship"),
        ("Full time, permanent", "full-time"),
        ("Great team", None),
    ],
)
def test_employment_type(text: str, kind: str | None) -> None:
    assert parse_job(f"Analyst\n{text}").employment_type == kind


# A resume builder's dates column, read out in text order: the start above the header
# line, the end opening the first line of the description (sometimes glued to it).
SPLIT_DATES_RESUME = """Amal Reyes
Experience
March 2019
Northwind Traders Leeds, UK Finance Manager
June 2021 Secured loans for customers and prepared the bank paperwork.
Trained four new staff.
October 2016
Blue Harbor Ltd York, UK Sales Manager
March 2019Managed a team of ten and raised sales by 12%.
Education
2012
B.A. Economics, University of York
"""


def test_a_range_split_around_the_job_header_is_one_job() -> None:
    resume = parse_resume(SPLIT_DATES_RESUME, today=TODAY)
    spans = [(e.start, e.end) for e in resume.experience]
    assert spans == [
        (date(2019, 3, 1), date(2021, 6, 1)),
        (date(2016, 10, 1), date(2019, 3, 1)),
    ]
    assert ["Finance Manager" in (e.title or "") for e in resume.experience] == [True, False]
    assert "Sales Manager" in (resume.experience[1].title or "")
    # the end date is taken off the description it opened
    assert resume.experience[0].bullets[0].startswith("Secured loans")
    assert resume.experience[1].bullets == ["Managed a team of ten and raised sales by 12%."]
    assert resume.years_experience == round(57 / 12, 2)  # Oct 2016 - Jun 2021


def test_a_lone_date_line_does_not_take_an_end_from_prose() -> None:
    text = "Experience\nMay 2020\nAcme Ltd, Analyst\nCurrently serve as a volunteer.\n"
    assert parse_resume(text, today=TODAY).experience[0].start is None


def test_a_header_ending_with_one_date_is_a_job() -> None:
    text = """Experience
Category Brand Manager Jan 2020
Acme Foods, Leeds
Grew nut category sales by 6%.
Product Manager Jan 2016 to Jan 2020
Promoted to team lead in March 2018
Ran 15 product categories.
Marketing Coordinator Mar 2012
Wrote the RFP submissions.
Brand Assistant Jan 2013 to Dec 2015
"""
    resume = parse_resume(text, today=TODAY)
    assert [(e.title, e.start, e.end, e.current) for e in resume.experience] == [
        ("Category Brand Manager", date(2020, 1, 1), None, True),  # the latest: runs to now
        ("Product Manager", date(2016, 1, 1), date(2020, 1, 1), False),
        ("Marketing Coordinator", date(2012, 3, 1), date(2012, 3, 1), False),  # that month
        ("Brand Assistant", date(2013, 1, 1), date(2015, 12, 1), False),
    ]
    assert "Promoted to team lead in March 2018" in resume.experience[1].bullets


def test_a_heading_underlined_with_characters_opens_its_section() -> None:
    text = "Work History" + "_" * 60 + "\nAnalyst, Acme 2019 - 2021\n"
    resume = parse_resume(text, today=TODAY)
    assert "experience" in resume.sections
    assert len(resume.experience) == 1


def test_unicode_dashes_separate_a_range() -> None:
    for dash in ("－", "‐", "‒", "−"):
        assert total_years(find_date_ranges(f"01/2019 {dash} 12/2020"), TODAY) == 2.0


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Executive Profile", "summary"),
        ("Skill Highlights", "skills"),
        ("Core Qualifications", "skills"),
        ("Licensure & Certification", "certifications"),
        ("Credentials", "certifications"),
        ("Career Focus", "summary"),
        # two section names under one heading: the first that is not a miscellany
        ("Skills and Education", "skills"),
        ("Skills /Interests", "skills"),
        ("Awards & Certifications", "certifications"),
        ("Fellowships and Awards", "other"),
    ],
)
def test_heading_variants_of_resume_builders(heading: str, kind: str) -> None:
    assert kind in parse_resume(f"{heading}\nSomething under it\n", today=TODAY).sections


def test_a_joined_heading_is_no_section_when_one_part_is_not_a_section_name() -> None:
    for line in ("Sales and Marketing", "Research and Development"):
        text = f"Experience\nAnalyst, Northwind 2012 - 2016\n- Ran the reports\n{line}\n"
        assert list(parse_resume(text, today=TODAY).sections) == ["experience"]


def test_a_job_header_run_into_its_description_is_a_job() -> None:
    text = """Experience
Operations Manager 2012 - 2016 Northwind Ltd
Site Office Administrator Blue Harbor Renewables 2008-2012 Responsible for document control and the site office of two wind farms with 40 contractors
Public Health Campaign Volunteer, September 2005 - May 2008 Red Cross Leeds ran vaccination days in six villages and kept the records of every visit
Led the 2010-2011 migration of the billing system to the new platform with a team of four engineers and two analysts
"""
    resume = parse_resume(text, today=TODAY)
    assert [e.start for e in resume.experience] == [
        date(2012, 1, 1),
        date(2008, 1, 1),
        date(2005, 9, 1),
    ]
    assert (resume.experience[1].title or "").startswith("Site Office Administrator")
    assert resume.experience[2].title == "Public Health Campaign Volunteer"
    assert resume.experience[1].bullets[0].startswith("Responsible for document control")
    assert resume.experience[2].bullets[-1].startswith("Led the 2010-2011 migration")


def test_an_honour_with_dates_is_not_a_job() -> None:
    text = "Experience\nTeacher 2013 - 2018 Northwind School\n2014-2015 Teacher of the Year Award\n"
    assert len(parse_resume(text, today=TODAY).experience) == 1


def test_a_job_written_twice_is_one_job_and_two_roles_over_one_span_stay_two() -> None:
    jobs = "Project Engineer, Northwind Build 02/2014 - 11/2015\n- Wrote 120 RFIs\n"
    text = f"Experience\n{jobs}Skills\nExcel\nWork History\n{jobs}"
    assert len(parse_resume(text, today=TODAY).experience) == 1  # a section repeated
    restated = (
        "Military Experience\nAircraft Armament Systems Specialist (Weapons Specialist) "
        "December 1986 to May 1991\nWeapons Specialist, United States Air Force, 12/1986-05/1991\n"
    )
    assert len(parse_resume(restated, today=TODAY).experience) == 1
    two_roles = (
        "Experience\nHR Staffing Coordinator, Acme 08/2008 - 04/2015\n"
        "Executive Technical Associate, Acme 08/2008 - 04/2015\n"
    )
    assert len(parse_resume(two_roles, today=TODAY).experience) == 2


def test_duty_lines_are_neither_jobs_nor_undated_jobs() -> None:
    text = """Experience
Payroll Accountant, Northwind Ltd, 07/2006 - 05/2016
Ran the monthly and bi-weekly payroll process.
Processed and submitted Teacher Retirement reports
Reconciled the general ledger every month.
Planned and executed the domain migration from 2008 to 2012
Clients served: 514 patients engaged for assessments since 2011.
Learning the art of sales
Registered Nurse, Blue Harbor Clinic, 02/2001 - 06/2006
"""
    resume = parse_resume(text, today=TODAY)
    assert [(e.title, e.start) for e in resume.experience] == [
        ("Payroll Accountant", date(2006, 7, 1)),
        ("Registered Nurse", date(2001, 2, 1)),
    ]


def test_a_header_line_of_eight_words_and_its_separators_is_a_header() -> None:
    text = """Experience
08/2014 to 03/2015
Event Pastry Chef Company Name - City , State
Led the pastry team for banquets of 500 guests.
03/2015 to 01/2016
Assistant Pastry Chef Northwind Cafe - Napa , CA
Decorated cakes for the daily display case.
"""
    jobs = parse_resume(text, today=TODAY).experience
    assert [
        (j.title or "").startswith(("Event Pastry Chef", "Assistant Pastry Chef")) for j in jobs
    ] == [
        True,
        True,
    ]


def test_a_long_line_opening_with_the_dates_under_its_title_is_a_job() -> None:
    text = """Experience
Manager, Continuous Improvement
November 2014 to May 2018 Northwind Aviation Hours worked per week: 40 Responsibilities include the lean programme for three hangars and twelve crews
Aviation Technician
September 2010 to September 2013 Blue Harbor Air
"""
    resume = parse_resume(text, today=TODAY)
    assert [e.start for e in resume.experience] == [date(2014, 11, 1), date(2010, 9, 1)]


def test_a_split_range_around_a_long_header_line() -> None:
    text = "Career History\n05/2023\nHartley & Finch LLP Austin, TX Accounts Payable Clerk\n11/2025 Reconciled 60 bank accounts\n"
    [job] = parse_resume(text, today=TODAY).experience
    assert (job.start, job.end) == (date(2023, 5, 1), date(2025, 11, 1))


def test_jobs_told_in_sentences_are_jobs() -> None:
    text = """Experience
- Worked for four years as a Rehabilitation Counselor from 2016 to 2020, assessing cases and keeping the records of every client's progress.
- Dental hygienist at Riverside Practice (2013-2016): cleaned, polished and charted for a list of 900 patients across two surgeries.
With a background of 3 years (2010 - 2013) as a Sr .NET Application Developer, I learnt to ship and support web applications for banks.
- 2008 – 2010: Credit Risk Analyst - Harbour Bank. Kept the counterparty models and their audits in order for two trading desks.
- Couriers and messengers (2006 - 2008)
"""
    resume = parse_resume(text, today=TODAY)
    assert [(e.title, e.start.year if e.start else None) for e in resume.experience] == [
        ("Rehabilitation Counselor", 2016),
        ("Dental hygienist", 2013),
        ("Sr .NET Application Developer", 2010),
        ("Credit Risk Analyst", 2008),
        ("Couriers and messengers", 2006),
    ]
    assert resume.experience[1].employer == "Riverside Practice"
    assert resume.years_experience == pytest.approx(14, abs=1)


def test_a_sentence_with_dates_that_names_no_role_is_not_a_job() -> None:
    text = (
        "Experience\nPlanned and delivered the migration of the billing platform for "
        "the whole group from 2008 to 2012, with a team of four.\n"
    )
    resume = parse_resume(text, today=TODAY)
    assert all(e.start is None for e in resume.experience)
    assert resume.years_experience == 0


def test_the_title_is_the_line_that_names_a_role_not_the_employers() -> None:
    above = """Experience
Health Care Administrator
April 2015 to May 2017 Northwind Care - Leeds , UK
Ran admissions for a 60-bed home.
Patient Relations Coordinator
January 2011 to March 2015 Blue Harbor Clinic - York , UK
"""
    resume = parse_resume(above, today=TODAY)
    assert [(e.title, e.employer) for e in resume.experience] == [
        ("Health Care Administrator", "Northwind Care"),
        ("Patient Relations Coordinator", "Blue Harbor Clinic"),
    ]
    # the dates between the employer and the title, as a two-column export writes them
    markdown = "## Career History\n### Logistics Coordinator — Redline Couriers\n*03/2022 - Current* · Leeds, UK\n"
    [job] = parse_resume(markdown, today=TODAY).experience
    assert (job.title, job.employer) == ("Logistics Coordinator", "Redline Couriers")
    beside = "Experience\nNorthwind Care October 2014 to Current Overnight Pharmacy Technician\n"
    [job] = parse_resume(beside, today=TODAY).experience
    assert (job.title, job.employer) == ("Overnight Pharmacy Technician", "Northwind Care")


def test_an_undated_job_before_the_dated_ones_is_a_job() -> None:
    text = """Experience
Electronic Health Record Optimization Specialist
Northwind Health - Boston , MA
Assist primary care practices to improve their quality scores.
Quality Improvement Coordinator
October 2013 to August 2014 Blue Harbor Clinic - Boston , MA
Supported practices in quality improvement initiatives.
"""
    jobs = parse_resume(text, today=TODAY).experience
    assert [(j.title, j.start) for j in jobs] == [
        ("Electronic Health Record Optimization Specialist", None),
        ("Quality Improvement Coordinator", date(2013, 10, 1)),
    ]
    assert jobs[0].bullets == ["Assist primary care practices to improve their quality scores."]


def test_a_leading_job_with_a_start_month_is_dated_and_a_restated_title_is_no_job() -> None:
    started = """Experience
Business Account Lead
February 2014 Northwind BPO - Pune , India
Managed the client relationship for the outsourcing contract.
General Manager
March 2011 to January 2014 Northwind BPO - Pune , India
Ran two engagements in finance and accounting.
"""
    jobs = parse_resume(started, today=TODAY).experience
    assert (jobs[0].title, jobs[0].start, jobs[0].end) == (
        "Business Account Lead",
        date(2014, 2, 1),
        None,
    )
    restated = """Experience
Senior Exercise Specialist & Sports and Recreation Coordinator
Coordinated the redesign of the corporate health facility.
Senior Specialist & Coordinator 07/2013 to Current Northwind Fitness
Fitness Strategy Specialist 03/2011 to 02/2013 Blue Harbor Gym
"""
    assert len(parse_resume(restated, today=TODAY).experience) == 2


def test_a_dated_line_told_in_the_first_person_is_no_new_job() -> None:
    text = """Experience
Customer service, Call Centre 01/1989 to 01/1996
Company Name From 1989 to 1996 I worked in a number of positions to fit my lifestyle as I was raising a young family.
"""
    assert len(parse_resume(text, today=TODAY).experience) == 1
