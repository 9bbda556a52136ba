"""Fictional ingredients for demo data: names, places and clinicians that belong to no real person.

Names are common given and family names combined at random; phone numbers use the 555-01xx range set
aside for fiction; e-mail addresses use the reserved example.org domain.
"""

from __future__ import annotations

from clinic_desktop.domain.enums import MedicationClass

#: (given, sex) pairs from many languages, including names that test Unicode handling.
GIVEN_NAMES: tuple[tuple[str, str], ...] = (
    ("Zoë", "female"), ("Amelia", "female"), ("Sofía", "female"), ("Aoife", "female"), ("Mei", "female"),
    ("Priya", "female"), ("Fatima", "female"), ("Olga", "female"), ("Grace", "female"), ("Hannah", "female"),
    ("Chloé", "female"), ("Ngọc Anh", "female"), ("Yuki", "female"), ("Ama", "female"), ("Isabel", "female"),
    ("Ingrid", "female"), ("Leila", "female"), ("Maren", "female"), ("Rosa", "female"), ("Tamsin", "female"),
    ("Liam", "male"), ("Mateo", "male"), ("Seán", "male"), ("Wei", "male"), ("Arjun", "male"), ("Omar", "male"),
    ("Dmitri", "male"), ("Samuel", "male"), ("Jonas", "male"), ("Minh", "male"), ("Kenji", "male"),
    ("Kwame", "male"), ("Lucas", "male"), ("Tomás", "male"), ("Elias", "male"), ("Rafael", "male"),
    ("Bjørn", "male"), ("Hamid", "male"), ("Nikolai", "male"), ("Daniel", "male"),
    ("Alex", "other"), ("Robin", "other"),
)

FAMILY_NAMES: tuple[str, ...] = (
    "O'Brien", "Nguyễn", "王", "García", "Kowalski", "Okafor", "Müller", "Haddad", "Johansson", "Rossi",
    "Patel", "Kim", "Ivanova", "Dubois", "Mensah", "Fitzgerald", "Tanaka", "Silva", "Novák", "Andersen",
    "Cohen", "Moreau", "Lindqvist", "Brennan", "Yilmaz", "Costa", "Schmidt", "Hernández", "Lee", "Walsh",
    "Abernathy", "Delacroix-Smythe", "Van der Berg", "MacLeod", "Þórsdóttir", "Chen", "Singh", "Adeyemi",
    "Kaczmarek", "Alvarez", "Hughes", "Ferreira", "Park", "Łukasiewicz", "Dương", "Murphy", "Sato",
    "Bianchi", "Ortiz", "Whitlock",
)

STREETS = ("Maple Street", "Harbor View Road", "Elm Avenue", "Orchard Lane", "Cedar Court", "Quarry Road",
           "Willow Way", "Lakeside Drive", "Birch Terrace", "Mill Street")
TOWNS = (("Fairview", "OR", "97024"), ("Riverton", "WY", "82501"), ("Greenfield", "MA", "01301"),
         ("Oak Hollow", "TX", "75001"), ("Lakemont", "NY", "14857"), ("Ashford", "CT", "06278"))
RELATIONS = ("Spouse", "Partner", "Sister", "Brother", "Mother", "Father", "Friend", "Daughter", "Son")

CLINICIANS = (
    ("Dr. Miriam Castellano", "Fairview Family Practice"), ("Dr. Jun Watanabe", "Riverton Psychiatry Associates"),
    ("Dr. Aisha Bello", "Greenfield Behavioral Health"), ("Dr. Peter Lindholm", "Lakemont Medical Group"),
    ("Dr. Carmen Ruiz", "Oak Hollow Community Clinic"), ("Dr. Tobias Hartmann", "Ashford Mind & Mood"),
)

#: (user name, full name, role, credentials): demo accounts, at least one per role.
STAFF = (
    ("demo.physician", "Dr. Imani Okafor", "physician", "MD"),
    ("demo.physician2", "Dr. Henrik Solberg", "physician", "DO"),
    ("demo.nurse", "Dana Whitlock", "nurse", "RN"), ("demo.nurse2", "Luis Ferreira", "nurse", "RN"),
    ("demo.nurse3", "Keiko Arima", "nurse", "BSN, RN"),
    ("demo.frontdesk", "Pat Lindqvist", "front_desk", ""), ("demo.admin", "Sam Adeyemi", "administrator", ""),
)

#: Words for the demo accounts' made-up passwords (printed by `clinic-desktop demo`).
PASSWORD_WORDS = ("maple", "harbor", "quartz", "lantern", "meadow", "copper", "willow", "summit", "pebble",
                  "orchid", "falcon", "cobalt", "juniper", "canyon", "ember", "tundra")

DIAGNOSES = (
    ("Major depressive disorder, recurrent, severe without psychotic features", "F33.2"),
    ("Major depressive disorder, single episode, severe", "F32.2"),
    ("Bipolar II disorder, current episode depressed", "F31.81"),
    ("Post-traumatic stress disorder, chronic", "F43.12"),
    ("Generalized anxiety disorder", "F41.1"),
)

#: (name, dose, class): what patients referred for ketamine commonly take.
MEDICATIONS = (
    ("Sertraline", "150 mg daily", MedicationClass.OTHER), ("Escitalopram", "20 mg daily", MedicationClass.OTHER),
    ("Bupropion XL", "300 mg daily", MedicationClass.OTHER), ("Venlafaxine XR", "225 mg daily", MedicationClass.OTHER),
    ("Lorazepam", "0.5 mg as needed", MedicationClass.BENZODIAZEPINE),
    ("Clonazepam", "0.5 mg at night", MedicationClass.BENZODIAZEPINE),
    ("Lamotrigine", "100 mg daily", MedicationClass.LAMOTRIGINE),
    ("Levothyroxine", "75 mcg daily", MedicationClass.THYROID_HORMONE),
    ("Methylphenidate ER", "36 mg daily", MedicationClass.STIMULANT),
    ("Tramadol", "50 mg as needed", MedicationClass.OPIOID), ("Phenelzine", "45 mg daily", MedicationClass.MAOI),
    ("Quetiapine", "50 mg at night", MedicationClass.OTHER), ("Lithium carbonate", "600 mg daily", MedicationClass.OTHER),
)

ALLERGIES = (("Penicillin", "Rash"), ("Sulfonamides", "Hives"), ("Latex", "Contact dermatitis"),
             ("Codeine", "Nausea and vomiting"))

STOP_REASONS = ("Patient moved away", "No improvement after four infusions; referred back for ECT evaluation",
                "Patient chose to stop: travel burden", "Persistent hypertension during infusions")
