"""Entity linking: codes, titles, typos and partial names found in a question."""

from __future__ import annotations

import pytest

from assistant.catalogue import Catalogue
from assistant.linking import EntityIndex, entity_index, fold, lexical_query
from assistant.models import Credential, CredentialType, Occupation, Provider, Skill


@pytest.fixture
def catalogue() -> Catalogue:
    records = [
        Credential(
            id="az-fund",
            title="Microsoft Certified: Azure Fundamentals",
            type=CredentialType.PROFESSIONAL_CERTIFICATION,
            provider="Microsoft",
            source="t",
            codes=["AZ-900"],
        ),
        Credential(
            id="cissp",
            title="Certified Information Systems Security Professional (CISSP)",
            type=CredentialType.PROFESSIONAL_CERTIFICATION,
            provider="ISC2",
            source="t",
        ),
        Credential(id="secplus", title="CompTIA Security+", type=CredentialType.PROFESSIONAL_CERTIFICATION, provider="CompTIA", source="t"),
        Credential(id="cfa-1", title="CFA Program Level I exam", type=CredentialType.PROFESSIONAL_CERTIFICATION, provider="CFA Institute", source="t"),
        Credential(
            id="gda", title="Google Data Analytics Professional Certificate", type=CredentialType.PROFESSIONAL_CERTIFICATE, provider="Google", source="t"
        ),
        Credential(id="cs-online", title="Master of Computer Science (online)", type=CredentialType.MASTER_DEGREE, provider="Uni", source="t"),
        Occupation(id="15-2051.00", title="Data Scientists", alt_titles=["Machine Learning Scientist"], onet_soc="15-2051.00", source="t"),
        Occupation(id="15-2051.01", title="Business Intelligence Analysts", onet_soc="15-2051.01", source="t"),
        Skill(id="python-programming", label="Python programming", alt_labels=["Python"]),
        Provider(id="aws-society", name="American Welding Society (AWS)", source="t"),
    ]
    return Catalogue.from_records(list(records), generation=3)


def _credential(record_id: str, title: str, **fields: object) -> Credential:
    """A professional certification with only what linking reads."""
    return Credential.model_validate({"id": record_id, "title": title, "type": "professional-certification", "provider": "P", "source": "t", **fields})


def _top(catalogue: Catalogue, text: str) -> tuple[str, str]:
    links = entity_index(catalogue).link(text)
    assert links, text
    return links[0].record_id, links[0].how


@pytest.mark.parametrize("text", ["What does AZ-900 certify?", "az900 price", "is the AZ 900 hard", "AZ-900 vs nothing"])
def test_codes_match_whatever_the_separators(catalogue: Catalogue, text: str) -> None:
    assert _top(catalogue, text) == ("az-fund", "code")


def test_acronyms_in_titles_and_plus_signs_are_codes(catalogue: Catalogue) -> None:
    assert _top(catalogue, "how much is the cissp") == ("cissp", "code")
    assert _top(catalogue, "Security+ prerequisites") == ("secplus", "code")


def test_a_parenthesis_that_is_a_word_is_not_an_acronym(catalogue: Catalogue) -> None:
    assert all(link.record_id != "cs-online" or link.how != "code" for link in entity_index(catalogue).link("online courses"))


def test_short_acronym_that_is_a_word_needs_capitals(catalogue: Catalogue) -> None:
    assert "aws-society" not in {link.record_id for link in entity_index(catalogue).link("aws cloud certifications")}
    assert "aws-society" in {link.record_id for link in entity_index(catalogue).link("a welding badge from AWS")}


def test_titles_match_exactly_after_folding(catalogue: Catalogue) -> None:
    assert _top(catalogue, "tell me about the google data analytics professional certificate") == ("gda", "exact")
    assert _top(catalogue, "Azure Fundamentals") == ("az-fund", "exact")  # the title after 'Vendor Certified:'


def test_typos_are_fixed_against_the_vocabulary(catalogue: Catalogue) -> None:
    record_id, how = _top(catalogue, "azure fundamantals")
    assert (record_id, how) == ("az-fund", "typo")


def test_partial_titles_and_roman_levels(catalogue: Catalogue) -> None:
    assert _top(catalogue, "google data analytics certificate")[0] == "gda"
    assert _top(catalogue, "how hard is CFA level 1")[0] == "cfa-1"
    assert fold("PSM II") == "psm 2"


def test_occupations_by_title_alt_title_and_onet_code(catalogue: Catalogue) -> None:
    assert _top(catalogue, "I want to become a data scientist") == ("15-2051.00", "exact")
    assert _top(catalogue, "machine learning scientist jobs")[0] == "15-2051.00"
    assert [link.record_id for link in entity_index(catalogue).link("O*NET 15-2051") if link.how == "code"] == ["15-2051.00"]
    assert _top(catalogue, "15-2051.01") == ("15-2051.01", "code")


def test_single_common_words_link_weakly(catalogue: Catalogue) -> None:
    links = {link.record_id: link for link in entity_index(catalogue).link("python jobs")}
    assert links["python-programming"].score < 0.85


def test_the_index_is_built_once_per_catalogue_generation(catalogue: Catalogue) -> None:
    first = entity_index(catalogue)
    assert entity_index(catalogue) is first
    newer = Catalogue.from_records(list(catalogue.records.values()), generation=4)
    assert entity_index(newer) is not first and entity_index(newer).generation == 4


def test_us_and_uk_spellings_match() -> None:
    assert fold("Managing Successful Programs") == fold("Managing Successful Programmes")
    assert set(lexical_query("program management").split()) >= {"program", "programme", "management"}


def test_a_product_the_provider_does_not_offer_is_spotted(catalogue: Catalogue) -> None:
    index = entity_index(catalogue)
    assert index.unnamed_product("CompTIA Server+", index.link("CompTIA Server+")) is None  # no CompTIA provider record here
    welding = "American Welding Society Robotics Inspector badge"
    assert index.unnamed_product(welding, index.link(welding)) == "robotic"
    assert index.unnamed_product("what does ISC2 offer", index.link("what does ISC2 offer")) is None


def _one_provider_index(provider: Provider, title: str, description: str = "") -> EntityIndex:
    """The index of a catalogue with one provider and one credential it awards."""
    credential = Credential(
        id="only",
        title=title,
        type=CredentialType.CERTIFICATE,
        provider=provider.name,
        provider_id=provider.id,
        source="t",
        description=description,
    )
    return entity_index(Catalogue.from_records([provider, credential]))


def test_a_place_is_not_a_product() -> None:
    index = _one_provider_index(
        Provider(id="cim", name="The Chartered Institute of Marketing (CIM)", source="t"), "CIM Level 4 Certificate in Professional Marketing"
    )
    question = "UK marketing qualifications from the Chartered Institute of Marketing"
    assert index.unnamed_product(question, index.link(question)) is None


def test_acronyms_listed_in_a_guide_title_name_the_guide() -> None:
    from assistant.models import Document

    guide = Document(id="guide-rpl", title="Recognition of prior learning (RPL, VNFIL, APEL)", body="# RPL\nText.", source="t")
    catalogue = Catalogue.from_records([guide], generation=1)
    assert _top(catalogue, "what does VNFIL mean") == ("guide-rpl", "code")


def test_a_name_in_a_providers_parenthesis_links_the_provider() -> None:
    providers = [
        Provider(id="hpi", name="Hasso Plattner Institute (openHPI)", source="t"),
        Provider(id="gri", name="GRI (Global Reporting Initiative)", source="t"),
        Provider(id="jyu", name="University of Jyvaskyla (Open University)", source="t"),
    ]
    catalogue = Catalogue.from_records(list(providers), generation=1)
    assert _top(catalogue, "does openHPI give proper certificates?")[0] == "hpi"
    assert _top(catalogue, "what does the Global Reporting Initiative certify")[0] == "gri"
    # a two-word description such as "(Open University)" is not a name of its own
    assert not [link for link in entity_index(catalogue).link("an open university course") if link.record_id == "jyu" and link.how == "exact"]


def test_a_name_a_description_gives_is_not_an_unknown_product() -> None:
    index = _one_provider_index(
        Provider(id="acca", name="ACCA (Association of Chartered Certified Accountants)", source="t"),
        "ACCA Diploma in Accounting and Business",
        "Awarded on completing the three ACCA Applied Knowledge exams and the ethics module.",
    )
    question = "Client passed ACCA Applied Knowledge exams, what award is that?"
    assert index.unnamed_product(question, index.link(question)) is None
    other = "ACCA Strategic Professional exams"
    assert index.unnamed_product(other, index.link(other)) == "strategic"


def test_an_exam_code_the_catalogue_lacks_is_spotted(catalogue: Catalogue) -> None:
    index = entity_index(catalogue)
    assert index.unknown_code("AZ-500 azure security engineer exam") == "AZ-500"
    assert index.unknown_code("is AZ-900 worth it") is None
    assert index.unknown_code("100-160 hours of study in 2024-25") is None


def test_an_abbreviated_plus_name_links_the_one_it_begins(catalogue: Catalogue) -> None:
    assert _top(catalogue, "passed sec+ last month, what next?") == ("secplus", "code")
    assert not entity_index(catalogue).link("c++ developer jobs")  # begins no "...+" title here


def test_spelt_out_module_numbers_fold_like_digits() -> None:
    assert fold("Delta Module Three") == fold("delta module 3") == fold("Delta Module III")


def test_an_acronym_inside_a_providers_name_does_not_name_its_credential() -> None:
    index = _one_provider_index(Provider(id="cfa", name="CFA Institute", source="t"), "Chartered Financial Analyst (CFA) charter")
    assert [link.record_id for link in index.link("is the CIPM from CFA institute any good?")] == ["cfa"]
    assert "only" in [link.record_id for link in index.link("CFA from CFA institute: how long?")]


def test_a_letter_code_beside_a_known_prefix_is_an_unknown_code() -> None:
    index = _one_provider_index(Provider(id="pmi", name="Project Management Institute (PMI)", source="t"), "PMI Agile Certified Practitioner (PMI-ACP)")
    assert index.unknown_code("applicant has the PMI-PBA, is it still offered?") == "PMI-PBA"
    assert index.unknown_code("is the PMI-ACP hard?") is None
    assert index.unknown_code("EU-US data rules") is None  # 'EU' is no code here


def test_a_title_that_is_one_acronym_and_words_run_together_link() -> None:
    provider = Provider(id="cam", name="Cambridge English", source="t")
    index = _one_provider_index(provider, "CELTA (Certificate in Teaching English to Speakers of Other Languages)")
    assert [(link.record_id, link.how, link.score) for link in index.link("is the celta worth it")][:1] == [("only", "code", 1.0)]
    index = _one_provider_index(provider, "Trinity CertTESOL (Certificate in Teaching English)")
    assert "only" in [link.record_id for link in index.link("is the trinity cert tesol recognised")]


def test_a_code_of_several_words_links() -> None:
    credential = _credential("bdc", "LEED AP Building Design + Construction", provider="USGBC", codes=["LEED AP BD+C"])
    assert _top(Catalogue.from_records([credential]), "can i sit LEED AP BD+C first?") == ("bdc", "code")


def test_a_lower_case_product_after_a_provider_with_a_range_is_spotted() -> None:
    cisco = Provider(id="cisco", name="Cisco", source="t")
    titles = ["Cisco CCNA", "Cisco CyberOps Associate", "Cisco CCST Networking"]
    credentials = [_credential(f"c{i}", t, provider="Cisco", provider_id="cisco") for i, t in enumerate(titles)]
    index = entity_index(Catalogue.from_records([cisco, *credentials]))
    for question, product in [
        ("cisco devnet associate", "devnet"),
        ("cisco cyberops associate exam cost", None),  # one it has
        ("cisco's entry-level certification for networking", None),  # a description, not a name
    ]:
        assert index.unnamed_product(question, index.link(question)) == product, question


def test_a_title_links_without_its_certified() -> None:
    credential = _credential("ace", "Google Cloud Certified Associate Cloud Engineer", provider="Google")
    assert _top(Catalogue.from_records([credential]), "gogle cloud asociate cloud enginer exam price") == ("ace", "typo")


def test_a_one_word_alternative_title_of_several_jobs_names_none() -> None:
    jobs = [
        Occupation(id="fin", title="Financial Analysts", alt_titles=["Analyst", "Securities Analyst"], source="t"),
        Occupation(id="risk", title="Financial Risk Specialists", alt_titles=["Analyst", "Risk Analyst"], source="t"),
        Occupation(id="dev", title="Software Developers", alt_titles=["Developer"], source="t"),
    ]
    index = entity_index(Catalogue.from_records(list(jobs)))
    assert not index.link("next cert for a soc analyst job")
    assert [link.record_id for link in index.link("a risk analyst job")][:1] == ["risk"]
    assert [link.record_id for link in index.link("junior developer")] == ["dev"]  # one job's own word still names it


def test_it_stands_for_information_technology_in_job_titles_and_a_rare_job_word_names_its_job() -> None:
    jobs = [
        Occupation(id="itpm", title="Information Technology Project Managers", source="t"),
        Occupation(id="stat", title="Statisticians", alt_titles=["Statistician", "Mathematical Statistician"], source="t"),
        Occupation(id="eng", title="Industrial Engineers", alt_titles=["Engineer", "Process Engineer", "Plant Engineer"], source="t"),
    ]
    index = entity_index(Catalogue.from_records(list(jobs)))
    assert _top(Catalogue.from_records(list(jobs)), "we're hiring an IT project manager") == ("itpm", "exact")
    assert [(link.record_id, link.score) for link in index.link("work as a statistician")][:1] == [("stat", 0.85)]
    assert all(link.score < 0.85 for link in index.link("an engineer job"))  # a word many names use stays weak
    assert not [link for link in index.link("can they do it as a project?") if link.record_id == "itpm"]  # 'it' the pronoun


def test_a_job_title_in_or_outside_its_parenthesis_names_the_job() -> None:
    jobs = [
        Occupation(id="bi", title="Business Intelligence Analysts", alt_titles=["Business Intelligence Analyst (BI Analyst)"], source="t"),
        Occupation(id="itm", title="Computer and Information Systems Managers", alt_titles=["Information Technology Manager (IT Manager)"], source="t"),
        Occupation(id="sup", title="Computer User Support Specialists", alt_titles=["IT Tech (Information Technology Technician)"], source="t"),
        Occupation(id="rec", title="Health Information Technologists", alt_titles=["Registered Health Information Technician (RHIT)"], source="t"),
    ]
    index = entity_index(Catalogue.from_records(list(jobs)))
    assert [(link.record_id, link.how) for link in index.link("we're hiring a BI analyst")][:1] == [("bi", "exact")]
    assert [link.record_id for link in index.link("what do IT managers earn")][:1] == ["itm"]
    assert not [link for link in index.link("which languages does it teach")]  # not "IT Tech", even corrected
    assert not [link for link in index.link("is it manager level?")]  # "IT" only in capitals
    assert not [link for link in index.link("candidate lists RHIT")]  # an acronym names a credential more often than the job


def test_a_university_is_named_without_its_last_word_and_a_listed_acronym_in_lower_case() -> None:
    records = [
        Provider(id="jhu", name="Johns Hopkins University", source="t"),
        Provider(id="ou", name="The Open University", source="t"),
        _credential("omscs", "Online Master of Science in Computer Science (OMSCS)"),
    ]
    index = entity_index(Catalogue.from_records(records))
    assert [(link.record_id, link.score) for link in index.link("john hopkins epidemiology certificate")][:1] == [("jhu", 0.7)]
    assert not index.link("an open course")  # "The Open" is no name
    assert [(link.record_id, link.how) for link in index.link("omscs vs a normal masters")] == [("omscs", "code")]


def test_small_words_of_other_languages_weigh_nothing_but_a_swiss_das_does() -> None:
    records = [
        _credential("fiae", "Fachinformatiker/in für Anwendungsentwicklung (IHK)"),
        _credential("fisi", "Fachinformatiker/in für Systemintegration (IHK)"),
        _credential("das-ds", "DAS in Data Science"),
        _credential("cas-ds", "CAS in Data Science Foundations"),
    ]
    index = entity_index(Catalogue.from_records(records))
    assert [link.record_id for link in index.link("fachinformatiker anwendungsentwicklung in english?")][:1] == ["fiae"]
    assert not [link for link in index.link("data science") if link.record_id == "das-ds" and link.score >= 0.6]


def test_a_job_title_without_its_last_word_then_a_job_word_names_the_job() -> None:
    jobs = [
        Occupation(id="support", title="Computer User Support Specialists", alt_titles=["Help Desk Analyst", "Help Desk Tech"], source="t"),
        Occupation(id="nurse", title="Licensed Practical Nurses", alt_titles=["Office Nurse"], source="t"),
    ]
    index = entity_index(Catalogue.from_records(list(jobs)))
    assert [(link.record_id, link.score) for link in index.link("first cert to get a help desk job?")] == [("support", 0.85)]
    assert not index.link("an office job with no nights")  # one word before the job word says too little


def test_a_word_after_a_provider_in_the_next_sentence_or_a_year_is_no_product() -> None:
    ibm = Provider(id="ibm", name="IBM", source="t")
    index = _one_provider_index(ibm, "IBM Data Science Professional Certificate")
    for question, product in [
        ("wants to try data science with an IBM programme. Roughly how many hours?", None),
        ("applicant lists an IBM cert from 2019", None),
        ("is the IBM Quantum certificate any good", "quantum"),
    ]:
        assert index.unnamed_product(question, index.link(question)) == product, question


def test_an_acronym_of_a_credentials_title_is_no_unknown_product_or_code() -> None:
    google = Provider(id="google", name="Google", source="t")
    index = _one_provider_index(google, "Google Project Management Professional Certificate")
    question = "does the google PM certificate count towards the PMP hours?"
    assert index.unnamed_product(question, index.link(question)) is None
    assert index.initials_of("pm", "google") and not index.initials_of("pm")  # two letters only beside its provider
    other = "is the google QA certificate any good"
    assert index.unnamed_product(other, index.link(other)) == "qa"
    catalogue = Catalogue.from_records([_credential("mcs", "Master of Computer Science (online)", provider="Illinois")])
    assert entity_index(catalogue).initials_of("mcs") and not entity_index(catalogue).initials_of("msc")


def test_everyday_words_are_judged_in_english_or_the_questions_own_language() -> None:
    from assistant.linking import COMMON_ZIPF, everyday_words

    assert {"someone", "she"} <= everyday_words("how do i check that someone's badge is real? she says so")
    assert "piano" not in everyday_words("piano lessons for adults")  # everyday Italian, not English
    assert {"wie", "dauert"} & everyday_words("wie lange dauert die Ausbildung und ist sie auf Deutsch?")
    assert "databricks" not in everyday_words("databricks certified data engineer")
    assert {"gradually", "reasonable"} <= everyday_words("which certs are reasonable if i want to build up gradually", COMMON_ZIPF)
    assert {"20k", "24h", "10hrs"} <= everyday_words("budget 20k, 24h exam, 10hrs a week")
    assert not {"togaf", "snowpro", "az900"} & everyday_words("togaf or snowpro or az900?")


def test_a_code_three_credentials_share_names_none_of_them_surely() -> None:
    degrees = [_credential(f"alm-{f}", f"Master of Liberal Arts (ALM) in {f.title()}", codes=["ALM"]) for f in ("data", "cyber", "management")]
    index = entity_index(Catalogue.from_records([*degrees, _credential("psm", "Professional Scrum Master I", codes=["PSM I"])]))
    assert {link.score for link in index.link("can the courses go toward the ALM later?")} == {0.8}
    assert [(link.record_id, link.score) for link in index.link("what does a PSM I holder know")] == [("psm", 1.0)]


def test_the_language_a_question_is_written_in() -> None:
    from assistant.linking import written_in

    assert written_in("wie lange dauert die Ausbildung und ist sie auf Deutsch?") == "de"
    assert written_in("quiero hacer el grado en derecho a distancia") == "es"
    assert written_in("piano lessons for adults") == written_in("eqf level 6 equals what?") == "en"
