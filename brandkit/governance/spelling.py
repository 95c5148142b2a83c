"""US / UK spelling pairs shipped with the product (a small list of the words copy actually uses)."""

from __future__ import annotations

# (US, UK); inflections (-s, -ed, -ing) are derived by the same suffix rules for both.
PAIRS: tuple[tuple[str, str], ...] = tuple(
    tuple(pair.split("/"))  # type: ignore[misc]
    for pair in """
color/colour favor/favour favorite/favourite flavor/flavour honor/honour humor/humour labor/labour
neighbor/neighbour neighborhood/neighbourhood behavior/behaviour harbor/harbour rumor/rumour
vigor/vigour savor/savour odor/odour endeavor/endeavour armor/armour parlor/parlour
center/centre meter/metre theater/theatre fiber/fibre liter/litre caliber/calibre
organize/organise organization/organisation realize/realise recognize/recognise optimize/optimise
optimization/optimisation customize/customise customization/customisation prioritize/prioritise
personalize/personalise personalization/personalisation maximize/maximise minimize/minimise
utilize/utilise specialize/specialise summarize/summarise standardize/standardise authorize/authorise
emphasize/emphasise apologize/apologise categorize/categorise criticize/criticise finalize/finalise
modernize/modernise visualize/visualise energize/energise localize/localise monetize/monetise
digitize/digitise mobilize/mobilise sanitize/sanitise revolutionize/revolutionise
analyze/analyse paralyze/paralyse catalog/catalogue dialog/dialogue analog/analogue
defense/defence offense/offence license/licence practice/practise pretense/pretence
gray/grey jewelry/jewellery traveler/traveller traveled/travelled traveling/travelling
canceled/cancelled canceling/cancelling modeling/modelling labeled/labelled labeling/labelling
fulfill/fulfil enrollment/enrolment enroll/enrol skillful/skilful installment/instalment
program/programme aluminum/aluminium mold/mould plow/plough tire/tyre curb/kerb
check/cheque pajamas/pyjamas mom/mum math/maths anesthesia/anaesthesia anesthetic/anaesthetic
pediatric/paediatric orthopedic/orthopaedic esthetic/aesthetic hemorrhage/haemorrhage
estrogen/oestrogen maneuver/manoeuvre fetus/foetus ameba/amoeba encyclopedia/encyclopaedia
color-coded/colour-coded favorites/favourites
""".split()
)

# Words that are spelled both ways in one variant depending on meaning; flagging them would be noise.
AMBIGUOUS = frozenset(
    {
        "practice",
        "practise",
        "license",
        "licence",
        "check",
        "cheque",
        "program",
        "programme",
        "tire",
        "tyre",
        "curb",
        "kerb",
        "meter",
        "metre",
        "mold",
        "mould",
        "mom",
        "mum",
        "math",
        "maths",
        "esthetic",
        "aesthetic",
        "analog",
        "analogue",
        "dialog",
        "dialogue",
    }
)
