"""Demo content: sections, reporters and a feed of generated stories for an empty database.

Every name here (companies, people, products, outlets) is invented, and all text is assembled from the
templates below. Output is deterministic for a given story count, so demo databases are reproducible.
"""

import random
import string
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import accumulate

from sqlalchemy import insert, select, text

from ..extensions import db
from ..news.models import Article, ArticleAuthor, Author, Kind, Section, Status
from ..news.queries import has_any_story
from ..web.slugs import slugify
from ..web.timestamps import utcnow

# Stories per bulk INSERT and commit: large enough to amortise round trips, small enough to keep
# memory flat and the progress bar moving.
CHUNK_SIZE = 10_000

TITLE_LENGTH = range(40, 111)  # characters

# ---- vocabulary --------------------------------------------------------------

COMPANIES = [
    "Northwind Labs", "Helio Systems", "Quillfeather Software", "Brightwater Analytics",
    "Corvid Semiconductor", "Tessellate", "Ironbark Cloud", "Parallax Robotics", "Saltmarsh Security",
    "Bluefin Networks", "Kestrel Devices", "Meridian Payments", "Fathom Logistics", "Glasshouse Software",
    "Silverpine Media", "Tidewater Telecom", "Umbra Optics", "Verdant Grid", "Wavecrest Audio",
    "Yarrow Health", "Zephyr Mobility", "Alder & Finch", "Basalt Data", "Calico Compute",
    "Driftwood Games", "Emberline Batteries", "Foxglove AI", "Harrow Instruments", "Lanternfish",
    "Mosaic Rail", "Nettle Labs", "Oriel Semiconductor", "Pinecrest Mobile", "Quarry Cloud",
    "Rivermark Systems", "Stillwater Compute", "Thistle Payments", "Marigold Media",
]
# Narrower pools for beats where only some kinds of company make sense.
AI_COMPANIES = [
    "Foxglove AI", "Northwind Labs", "Helio Systems", "Stillwater Compute", "Calico Compute",
    "Corvid Semiconductor", "Oriel Semiconductor", "Quillfeather Software", "Glasshouse Software",
    "Basalt Data", "Brightwater Analytics", "Nettle Labs", "Ironbark Cloud", "Quarry Cloud", "Lanternfish",
]
DEVICE_COMPANIES = [
    "Kestrel Devices", "Pinecrest Mobile", "Wavecrest Audio", "Umbra Optics", "Harrow Instruments",
    "Helio Systems", "Northwind Labs", "Zephyr Mobility", "Lanternfish", "Alder & Finch", "Tessellate",
]
INSTITUTIONS = [
    "Eastbrook University", "Halvorsen Institute", "Westmere Polytechnic", "Lakemont University",
    "Ashby Research Center", "Northfield Institute of Technology", "Calder Marine Laboratory",
    "Pemberton College", "Rossler Energy Institute",
]
STARTUPS = [
    "Pollenly", "Tidelight", "Kilnworks", "Parcelhop", "Fernbook", "Lumino Health", "Stackfold",
    "Quiverline", "Nestwise", "Brambly", "Otterpay", "Cardamom AI", "Sundial Health", "Mapleframe",
    "Driftly", "Veloqa", "Hatchling Robotics", "Plotline", "Seedbank Labs", "Corkboard",
]
INVESTORS = [
    "Granite Peak Capital", "Kettlebrook Ventures", "Lowfield Capital", "Ashgrove Partners",
    "Tallwater Ventures", "Harbor Light Ventures", "Copperleaf Capital", "Wrenfield Partners",
]
PRODUCT_NAMES = [
    "Wren", "Kite", "Pallas", "Tern", "Lyra", "Quill", "Nimbus", "Ember", "Vega", "Osprey", "Sable",
    "Cinder", "Halcyon", "Marlin", "Piper", "Rook", "Sprig", "Fjord", "Moth", "Juno",
]
PRODUCT_VERSIONS = ["2", "3", "4", "5", "Pro", "Mini", "X", "Air", "Max", "Lite", "2 Pro", "S", "One"]
REGIONS = [
    "Europe", "Japan", "Brazil", "India", "Canada", "Australia", "South Korea", "Mexico",
    "Southeast Asia", "the Nordics", "the Middle East", "West Africa",
]
REGULATORS = [
    "European regulators", "the UK competition watchdog", "the US trade regulator",
    "Brazil's competition authority", "Japan's antitrust regulator", "Canadian regulators",
    "Australia's consumer watchdog", "South Korea's fair trade agency",
]
# Fictional outlets that roundups summarise, on the reserved .example top-level domain.
OUTLETS = [
    ("The Ledger Review", "ledger-review.example"),
    ("Kiloparsec Weekly", "kiloparsec-weekly.example"),
    ("The Copper Gazette", "copper-gazette.example"),
    ("Stackline Journal", "stackline-journal.example"),
    ("The Meridian Dispatch", "meridian-dispatch.example"),
    ("Patchnote Weekly", "patchnote.example"),
    ("The Lantern Record", "lantern-record.example"),
    ("Signal & Static", "signal-static.example"),
]
# People quoted in story bodies (reporters are the AUTHORS below).
SOURCE_FIRST_NAMES = [
    "Amara", "Ben", "Chloe", "Dev", "Elena", "Felix", "Grace", "Hiro", "Isla", "Jamal", "Kira", "Luca",
    "Mina", "Noah", "Olga", "Pedro", "Rosa", "Sanjay", "Tess", "Victor", "Yusuf", "Zoe",
]
SOURCE_LAST_NAMES = [
    "Abernathy", "Brandt", "Castellano", "Duarte", "Eriksen", "Farrow", "Gallagher", "Hoshino",
    "Ibarra", "Jansen", "Kowalczyk", "Lindgren", "Mbeki", "Novak", "Oyelaran", "Petrov", "Quintero",
    "Rasmussen", "Sato", "Thorne", "Ueda", "Varga", "Whitlock",
]
SOURCE_AFFILIATIONS = [
    "an analyst at Lantern Research", "a principal analyst at Brightline Advisory",
    "a partner at Copperfield Partners", "head of research at the Marlow Group",
    "a consultant who advises large buyers", "a professor at Eastbrook University",
    "a former executive in the industry", "a senior analyst at Northgate Insights",
]
# Without closing punctuation: templates add the comma before "said".
QUOTES = [
    "The hard part was never the technology; it is getting people to change how they work",
    "This is the right direction, but the execution will decide whether it matters",
    "Everyone says they want this until they see the invoice",
    "It is a sensible move, and frankly one that should have happened sooner",
    "I would wait a quarter before reading too much into it",
    "The market has been asking for this for a long time",
    "It buys them time. Whether it buys them customers is another matter",
    "Nobody in the industry will be surprised, but plenty of people will be nervous",
    "The announcement is the easy part. The next twelve months are the test",
    "Buyers have become much better at asking for proof, and that is healthy",
]

# Values for {name} fields in templates; each drawer gets the random generator and the story's beat.
FIELD_DRAWERS = {
    "product": lambda rng, beat: f"{rng.choice(PRODUCT_NAMES)} {rng.choice(PRODUCT_VERSIONS)}",
    "ptype": lambda rng, beat: rng.choice(beat.product_types),
    "topic": lambda rng, beat: rng.choice(beat.topics),
    "pct": lambda rng, beat: str(rng.choice([3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 15, 18, 20, 22, 25, 30])),
    "count": lambda rng, beat: str(rng.choice([3, 4, 5, 6, 8, 9, 12, 14, 17, 20, 24, 31, 38, 45, 52])),
    "millions": lambda rng, beat: rng.choice(["1.2", "2", "3.5", "4", "6", "8", "11", "14", "19", "27"]),
    "n_months": lambda rng, beat: str(rng.choice([3, 4, 6, 8, 9, 12, 18])),
    "n_years": lambda rng, beat: rng.choice(["two", "three", "four", "five", "six"]),
    "money": lambda rng, beat: f"${rng.choice([4, 6, 8, 12, 15, 18, 22, 30, 45, 60, 90, 120, 180])} million",
    "big_money": lambda rng, beat: rng.choice(
        ["$400 million", "$650 million", "$1.2 billion", "$2 billion", "$3.4 billion", "$5 billion",
         "$8.5 billion", "$12 billion", "$24 billion"]
    ),
    "price": lambda rng, beat: f"${rng.choice([99, 129, 199, 249, 299, 349, 449, 599, 799, 999, 1299])}",
    "dollars": lambda rng, beat: f"${rng.choice([30, 50, 80, 100, 150, 200])}",
    "bounty": lambda rng, beat: rng.choice(["$25,000", "$50,000", "$80,000", "$120,000", "$250,000"]),
    "minutes": lambda rng, beat: str(rng.choice([5, 6, 8, 10, 12, 15])),
    "seconds": lambda rng, beat: str(rng.choice([22, 37, 48, 64, 90, 126])),
    "series": lambda rng, beat: rng.choice(["A", "A", "B", "B", "C"]),
    "region": lambda rng, beat: rng.choice(REGIONS),
    "regulator": lambda rng, beat: rng.choice(REGULATORS),
    "investor": lambda rng, beat: rng.choice(INVESTORS),
    "person": lambda rng, beat: f"{rng.choice(SOURCE_FIRST_NAMES)} {rng.choice(SOURCE_LAST_NAMES)}",
    "affiliation": lambda rng, beat: rng.choice(SOURCE_AFFILIATIONS),
    "quote": lambda rng, beat: rng.choice(QUOTES),
    # A second company; _fill keeps it different from the story's {org}.
    "org2": lambda rng, beat: rng.choice(COMPANIES),
}


@dataclass(frozen=True)
class Template:
    """A str.format() text and the {fields} it uses, parsed once."""

    text: str
    fields: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        names = [name for _, name, _, _ in string.Formatter().parse(self.text) if name]
        object.__setattr__(self, "fields", tuple(dict.fromkeys(names)))


@dataclass(frozen=True, eq=False)
class Event:
    """A news item: its headline and a matching one-sentence summary."""

    title: Template
    summary: Template


def _events(pairs):
    return [Event(Template(title), Template(summary)) for title, summary in pairs]


def _templates(texts):
    return [Template(text) for text in texts]


@dataclass(frozen=True)
class Beat:
    """A section and the vocabulary its stories are written from. {org} is the story's main actor."""

    name: str
    description: str
    weight: int
    orgs: list[str]
    product_types: list[str]
    topics: list[str]
    news: list[Event]
    ledes: list[Template] | None = None  # None: NEWS_LEDES
    analysis: list[Event] | None = None  # None: ANALYSIS_EVENTS, written for technologies and products


# ---- beats ------------------------------------------------------------------
# Templates: literal words already in headline case; {fields} are filled in sentence case and the title
# is headline-cased afterwards. Summaries are one sentence, so roundups can add an attribution.
# Topics may be plural ("folding phones"), so no template makes {topic} the subject of a verb.

BEATS = [
    Beat(
        "Business & Tech",
        "Earnings, deals and the business decisions shaping the technology industry.",
        20,
        COMPANIES,
        ["cloud platform", "payments service", "office software suite", "ad business",
         "data center business", "subscription plan", "device business"],
        ["usage-based pricing", "software bundles", "custom server chips", "cloud cost tools",
         "private clouds", "all-in-one work apps", "subscription bundles"],
        _events([
            ("{org} Cuts {pct}% of Staff as Cloud Growth Slows",
             ("{org} is laying off about {pct} percent of its workforce after two quarters of slower growth "
              "in its cloud business.")),
            ("{org} Agrees to Buy {org2} in {big_money} Deal",
             ("The all-cash deal would give {org} control of {org2}'s {ptype} and is expected to close "
              "within {n_months} months, pending regulatory review.")),
            ("{org} Raises Prices on Its {ptype} for the Second Time This Year",
             ("Customers will pay roughly {pct} percent more from next quarter, {org} said, citing higher "
              "infrastructure and energy costs.")),
            ("{org} Names New Chief Executive as Founder Steps Aside",
             ("{org}'s founder will move to an advisory role, and a longtime operations chief takes over "
              "at the start of next month.")),
            ("{org} Beats Revenue Forecasts but Warns of a Softer Holiday Quarter",
             ("{org} reported revenue {pct} percent above analyst estimates while cautioning that demand "
              "in {region} remains uneven.")),
            ("{org} Tells Staff to Return to the Office Four Days a Week",
             ("{org} will require most employees to work from its offices four days a week, reversing a "
              "remote-work policy it introduced {n_years} years ago.")),
            ("{org} and {org2} Sign Multiyear Cloud Partnership",
             ("{org2} will run much of its {ptype} on {org}'s infrastructure under an agreement the "
              "companies valued at more than {big_money}.")),
            ("{org} Plans to Spin Off Its {ptype} Into a Separate Company",
             ("{org} said the separation would let both businesses invest at their own pace and should be "
              "completed within {n_months} months.")),
            ("{org} Shares Jump {pct}% After Surprise Quarterly Profit",
             ("Shares of {org} rose about {pct} percent in early trading after the company posted its "
              "first quarterly profit in {n_years} years.")),
            ("{org} Opens Data Center in {region} to Meet Demand for AI Workloads",
             ("{org} said the new facility in {region} is the first of several it plans to open as "
              "corporate customers move more computing to the cloud.")),
            ("{org} Settles Long-Running Patent Dispute With {org2}",
             ("Terms were not disclosed, but the settlement ends {n_years} years of litigation over "
              "technology used in {org}'s {ptype}.")),
            ("{org} Trims Full-Year Outlook, Blaming Slower Spending in {region}",
             ("{org} now expects annual revenue to grow about {pct} percent, down from an earlier forecast, "
              "as large customers delay purchases.")),
        ]),
    ),
    Beat(
        "AI",
        "Models, chips and the companies building and deploying artificial intelligence.",
        18,
        AI_COMPANIES,
        ["language model", "coding assistant", "image model", "speech model", "agent platform",
         "translation model", "search assistant"],
        ["on-device AI", "AI coding assistants", "open-weight models", "synthetic training data",
         "AI agents", "AI search", "small language models"],
        _events([
            ("{org} Releases {product}, a Compact Language Model Built to Run on Laptops",
             ("{org} says {product} matches its larger models on common writing and coding tasks while "
              "using a fraction of the memory.")),
            ("{org} Unveils {product} AI Chip, Promising {pct}% Lower Inference Costs",
             ("{org} said the {product} chip will reach its own data centers first, with cloud customers "
              "getting access within {n_months} months.")),
            ("{org} Adds an AI Coding Assistant to Its Developer Tools",
             ("The assistant, called {product}, suggests code and tests inside {org}'s editor and will be "
              "free for individual developers until next year.")),
            ("{org} Pauses Its Image Model After Users Flag Inaccurate Results",
             ("{org} said it would restore the feature once it had fixed problems with how the model "
              "handled historical and medical prompts.")),
            ("{org} Signs Licensing Deal to Train Models on {org2}'s Archives",
             ("The agreement gives {org} access to {org2}'s back catalogue for training, with payments "
              "reported to exceed {big_money} over several years.")),
            ("{org} Claims {pct}% Fewer Errors With Its New {ptype}",
             ("{org} published results showing {product} making {pct} percent fewer mistakes than its "
              "predecessor on internal tests.")),
            ("{org} Opens Its {ptype} to Outside Developers After Months of Testing",
             ("Developers can now build on {org}'s {ptype} through a paid interface, with usage limits "
              "for the first {n_months} months.")),
            ("{org} Hires {count} Researchers From {org2}",
             ("The hires from {org2}'s AI lab include two senior team leads and give {org} a research "
              "group focused on making large models cheaper to run.")),
            ("{org} Launches AI Agents That Book Travel and File Expenses",
             ("{org}'s agents can complete routine office tasks on their own, though the company says a "
              "person must approve anything involving payment.")),
            ("{org} Raises Price of Its {ptype} for Business Customers",
             ("Business plans for {org}'s {ptype} will cost about {pct} percent more from next month, "
              "reflecting heavier usage than the company expected.")),
            ("{org} Publishes Safety Report on {product}, Its Largest Model Yet",
             ("The {n_months}-month evaluation covers misuse testing, data sources and the limits {org} "
              "placed on the model before release.")),
            ("{org}'s {product} Tops Open Benchmark for Long-Document Reasoning",
             ("{org}'s {product} scored {pct} points higher than the previous leader on a public test of "
              "reading and answering questions about long reports.")),
        ]),
    ),
    Beat(
        "Security",
        "Breaches, vulnerabilities and the people working to keep systems safe.",
        14,
        COMPANIES,
        ["password manager", "VPN app", "identity platform", "endpoint agent", "email gateway",
         "browser extension", "remote-access tool"],
        ["passkeys", "zero-trust networking", "bug bounty programs", "hardware security keys",
         "AI threat detection", "password managers", "managed detection services"],
        _events([
            ("{org} Confirms Breach Affecting {millions} Million Customer Accounts",
             ("{org} said attackers copied names, email addresses and hashed passwords, and that it has "
              "reset credentials for every affected account.")),
            ("Attackers Exploit Flaw in {org}'s {ptype}; Patch Now Available",
             ("{org} urged customers to update its {ptype} immediately after confirming the bug was being "
              "used in targeted attacks.")),
            ("{org} Hit by Ransomware Attack, Disrupting Operations in {region}",
             ("{org} said it had taken some systems offline to contain a ransomware attack that slowed "
              "orders and deliveries in {region}.")),
            ("{org} Pays {bounty} to Researcher Who Found Critical {ptype} Bug",
             ("The payout is the largest in {org}'s bug bounty program and covers a flaw that could have "
              "let attackers take over accounts.")),
            ("{org} Will Require Passkeys for All Business Accounts by Next Year",
             ("{org} said the switch away from passwords would block most phishing attempts against its "
              "business customers.")),
            ("Researchers Find Malicious Code in {ptype} With {millions} Million Installs",
             ("Security researchers at {org} said an update pushed to the {ptype} quietly collected "
              "browsing data for several weeks.")),
            ("{org} Patches {count} Vulnerabilities, Including Two Under Active Attack",
             ("{org}'s monthly update fixes {count} flaws across its products, two of which attackers were "
              "already exploiting.")),
            ("{org} Pulls {ptype} Update After Reports of Crashing Machines",
             ("{org} withdrew the update within hours and said affected customers could restore their "
              "systems by rolling back to the previous version.")),
            ("Phishing Campaign Impersonates {org} Support to Steal Login Codes",
             ("The messages imitate {org}'s help desk and ask recipients to read out one-time codes, a "
              "tactic that has spread quickly this year.")),
            ("{org} Buys Security Startup to Shore Up Its {ptype}",
             ("The acquisition adds a team of about {count} engineers who specialise in detecting "
              "account takeovers.")),
            ("{org} Discloses Flaw That Left {ptype} Logs Exposed for {n_months} Months",
             ("{org} said it had found no evidence the logs were accessed but was notifying customers "
              "whose data they contained.")),
        ]),
    ),
    Beat(
        "Gadgets",
        "Phones, wearables and the devices people actually carry, tested and explained.",
        14,
        DEVICE_COMPANIES,
        ["smartwatch", "folding phone", "e-reader", "laptop", "tablet", "mixed-reality headset",
         "robot vacuum", "smart speaker", "action camera", "e-bike", "fitness tracker"],
        ["folding phones", "smart glasses", "repairable laptops", "smart rings", "e-bikes",
         "satellite messaging", "mixed-reality headsets"],
        _events([
            ("{org} Adds Offline Maps and Longer Battery Life to {product} in Free Update",
             ("The update reaches owners of the {product} {ptype} this week and adds features {org} had "
              "promised when the device launched.")),
            ("{org} Unveils {product} {ptype} With a Week of Battery Life",
             ("{org}'s new {ptype} goes on sale next month at {price}, with a larger battery and a "
              "brighter display than last year's model.")),
            ("{org} Cuts Price of {product} {ptype} by {dollars}",
             ("The permanent price cut arrives {n_months} months after launch and follows slower sales "
              "than {org} had planned.")),
            ("{org}'s New {ptype} Will Get Software Updates for {n_years} Years",
             ("{org} said the {product} will receive security and feature updates for {n_years} years, "
              "longer than its previous devices.")),
            ("{org} Recalls {product} {ptype} Over Battery Overheating Reports",
             ("{org} is asking owners to stop charging the {product} and says it will replace affected "
              "units free of charge.")),
            ("{org} Delays {product} {ptype} to Next Year, Citing Supply Problems",
             ("{org} blamed a shortage of display panels for the delay and said preorders would be "
              "refunded on request.")),
            ("{org} Confirms {product} {ptype} Will Ship Without a Charger",
             ("{org} said leaving the charger out of the box cuts packaging by {pct} percent, and the "
              "{product} keeps its launch price of {price}.")),
            ("{org} Brings Satellite Messaging to Its {ptype} Lineup",
             ("Owners of {org}'s newest {ptype} models will be able to send text messages from areas "
              "without mobile coverage.")),
            ("{org} Will Sell Repair Parts for Its {ptype} Directly to Customers",
             ("Screens, batteries and ports for {org}'s {ptype} will be sold online along with repair "
              "guides, starting in {region}.")),
            ("{org} Launches {product} {ptype} in {region}, Starting at {price}",
             ("The {product} arrives in {region} with local language support and a two-year warranty, "
              "{org} said.")),
            ("{org} Quietly Discontinues the {product}, Its Cheapest {ptype}",
             ("{org} removed the {product} from its online store and said existing owners will keep "
              "receiving updates for now.")),
        ]),
    ),
    Beat(
        "Science",
        "Research from labs and universities, from batteries to telescopes.",
        10,
        INSTITUTIONS,
        ["telescope", "quantum processor", "battery cell", "climate model", "gene-editing tool",
         "weather satellite"],
        ["solid-state batteries", "quantum computing", "carbon capture", "fusion energy",
         "AI-designed proteins", "sodium-ion batteries", "exoplanet surveys"],
        _events([
            ("{org} Researchers Report Battery Cell That Charges in {minutes} Minutes",
             ("A team at {org} says its prototype cell keeps {pct} percent more capacity after a thousand "
              "fast charges than current designs.")),
            ("{org} Team Demonstrates Quantum Processor With {count} Stable Qubits",
             ("Researchers at {org} say their processor corrects its own errors faster than they appear, "
              "a milestone for practical quantum computing.")),
            ("Survey Telescope Run by {org} Spots {count} Candidate Exoplanets",
             ("Astronomers at {org} found the candidates in the first year of data and will confirm them "
              "with follow-up observations.")),
            ("{org} Study Finds Data Centers Use {pct}% More Water Than Reported",
             ("Researchers at {org} combined satellite images with utility records to estimate how much "
              "water large data centers really consume.")),
            ("{org} Opens Its Climate Model to Outside Researchers",
             ("{org} has published the code and data behind its climate model so that other groups can "
              "test and extend it.")),
            ("{org} Scientists Use AI to Design Enzymes That Break Down Plastic",
             ("Scientists at {org} used a protein design model to create enzymes that broke down common "
              "packaging plastic within {count} days.")),
            ("Fusion Experiment at {org} Holds Plasma for a Record {seconds} Seconds",
             ("Researchers at {org} held the superheated plasma stable far longer than their previous "
              "best, though the machine still uses more energy than it makes.")),
            ("{org} Launches Weather Satellite to Track Storms Over {region}",
             ("The satellite, built with partners at {org}, will send images every {minutes} minutes to "
              "help forecasters follow storms over {region}.")),
            ("{org} Researchers Build Cheap Sensor That Detects Crop Disease Early",
             ("The sensor developed at {org} costs a few dollars to make and flagged infected plants days "
              "before symptoms were visible.")),
            ("{org} Retracts Paper on Room-Temperature Superconductor After Review",
             ("{org} said independent groups could not reproduce the results and that the authors had "
              "agreed to withdraw the paper.")),
            ("{org} Maps How Undersea Cables Affect Marine Life",
             ("Researchers at {org} surveyed {count} cable routes and found little long-term disturbance "
              "to the animals living near them.")),
        ]),
        ledes=_templates([
            ("The results come from a team at {org} that has worked on the problem for {n_years} "
             "years, and were reviewed by outside scientists before publication. The underlying data "
             "has been shared with other groups."),
            ("{org} stressed that the work is at an early stage and that other groups will need to "
             "reproduce the findings before anyone builds on them. Even so, the results have drawn "
             "wide interest in the field."),
            ("Outside experts called the findings promising but cautioned that results from the lab "
             "often prove harder to scale than the researchers at {org} expect. Several said they "
             "would watch closely for follow-up work."),
        ]),
        analysis=_events([
            ("Why Progress on {topic} Always Seems a Decade Away",
             ("Steady progress in the lab keeps running into the same obstacles outside it; here is where "
              "the field really stands.")),
            ("What {org}'s Results Do and Do Not Tell Us About {topic}",
             ("The new work from {org} is genuinely interesting, but it answers a narrower question than "
              "the headlines suggest.")),
            ("The Quiet Economics of {topic}",
             ("Breakthroughs get the attention, but the cost of materials, equipment and people decides "
              "which ideas leave the lab.")),
            ("Can {topic} Finally Leave the Lab?",
             ("A string of promising results has revived hopes for {topic}; the next {n_months} months "
              "will show whether they survive scrutiny.")),
            ("Inside {org}'s Long, Expensive Push Into {topic}",
             ("{org} has spent {n_years} years on {topic}, and its researchers are candid about how much "
              "is still unknown.")),
            ("The Unglamorous Engineering Problem Holding Back {topic}",
             ("The physics is largely understood; manufacturing, reliability and cost are what stand in "
              "the way.")),
            ("Who Is Really Paying for the Race in {topic}?",
             ("Public grants, corporate labs and patient investors all fund {topic}, and each expects "
              "something different in return.")),
            ("Three Numbers That Explain the State of {topic}",
             ("Cost, efficiency and lifetime tell a more useful story about {topic} than any single "
              "record.")),
            ("Why Replication Matters More Than Ever in {topic}",
             ("A few high-profile reversals have made researchers in {topic} more careful, and that is "
              "good news.")),
        ]),
    ),
    Beat(
        "Policy",
        "Regulation, courts and the politics of technology around the world.",
        12,
        COMPANIES,
        ["app store", "ad business", "cloud contracts", "messaging service", "ride-hailing app",
         "online marketplace", "search business"],
        ["age verification", "app store fees", "data brokers", "chip exports", "AI liability",
         "encryption", "repair rights", "content moderation"],
        _events([
            ("{regulator} Opens Antitrust Probe Into {org}'s {ptype}",
             ("{regulator} said it would examine whether {org} uses its {ptype} to disadvantage smaller "
              "rivals.")),
            ("{regulator} Fines {org} {big_money} Over Data Transfers",
             ("{regulator} found that {org} moved customer data abroad without adequate safeguards; the "
              "company said it would appeal.")),
            ("{org} Loses Appeal Over Default Settings on Its {ptype}",
             ("The court upheld an earlier ruling that {org}'s default settings steered users away from "
              "competing services.")),
            ("Lawmakers in {region} Advance Bill Requiring Age Checks on Social Apps",
             ("The bill would require apps to verify that users are old enough, a change companies "
              "including {org} say is hard to do without collecting more data.")),
            ("{org} Agrees to Open Its {ptype} to Rivals to Settle Complaint",
             ("Under the settlement, {org} will let competitors reach its {ptype} customers on equal "
              "terms for at least {n_years} years.")),
            ("Court Blocks {org}'s Acquisition of {org2}",
             ("A judge sided with regulators who argued the deal would give {org} too much control over "
              "the market for {org2}'s products.")),
            ("Officials in {region} Tighten Export Rules on Advanced Chips",
             ("The new rules require licences for shipments of high-end chips, and {org} said it was "
              "studying the effect on its business.")),
            ("{org} Faces Class Action Over Hidden Subscription Fees",
             ("The lawsuit claims {org} made it hard to cancel paid plans and charged fees that were not "
              "clearly disclosed.")),
            ("{regulator} Proposes Right-to-Repair Rules for Phones and Laptops",
             ("The proposal would require makers such as {org} to sell spare parts and publish repair "
              "manuals for at least {n_years} years.")),
            ("{org} Executives to Testify on {topic} Before Lawmakers",
             "Lawmakers plan to question {org} about {topic} at a hearing expected later this month."),
            ("{regulator} Approves {org}'s Takeover of {org2} With Conditions",
             ("{regulator} cleared the {big_money} deal after {org} agreed to keep {org2}'s services "
              "available to rivals.")),
        ]),
        analysis=_events([
            ("What the Latest Fight Over {topic} Is Really About",
             ("The public argument is about safety and fairness, but the real dispute is over who pays "
              "and who decides.")),
            ("The Case Against Rushing New Rules on {topic}",
             ("Lawmakers want to act quickly on {topic}, but the last round of hurried rules produced "
              "years of litigation.")),
            ("Why Lawmakers Keep Struggling With {topic}",
             ("Every attempt to legislate on {topic} runs into the same trade-offs between privacy, "
              "competition and enforcement.")),
            ("{org} Has the Most to Lose in the Fight Over {topic}",
             ("{org} depends more than most on the status quo, which explains how hard it is lobbying "
              "against change.")),
            ("Five Questions About the New Push on {topic}",
             ("What the proposals on {topic} would actually require, who would enforce them and when "
              "anything would change.")),
            ("How {topic} Became Tech Policy's Favorite Argument",
             ("Few issues unite critics across the political spectrum like {topic}, and few divide them "
              "so quickly on the details.")),
            ("What {regulator}'s Case Against {org} Could Change",
             ("The case against {org} could set a precedent for how {topic} is handled well beyond this "
              "one company.")),
            ("The Quiet Lobbying Battle Over {topic}",
             ("Companies including {org} have spent heavily to shape the rules on {topic}, mostly out of "
              "public view.")),
            ("Why the Rules on {topic} Look So Different Across Borders",
             ("The same products face very different requirements on {topic} depending on where they "
              "are sold, and companies are adapting.")),
        ]),
    ),
    Beat(
        "Startups",
        "Founders, funding rounds and the young companies worth watching.",
        12,
        STARTUPS,
        # Every product type starts with a consonant: templates write "a {ptype}".
        ["scheduling app", "developer tool", "warehouse robot", "payroll service",
         "carbon-accounting platform", "telehealth service", "bookkeeping app", "fleet-tracking platform"],
        ["AI note-takers", "vertical software", "warehouse automation", "climate software",
         "embedded finance", "telehealth", "developer tools"],
        _events([
            ("{org} Raises {money} Series {series} Led by {investor}",
             ("{org}, which makes a {ptype}, will use the money to hire engineers and expand into "
              "{region}.")),
            ("{org}, Maker of a {ptype}, Raises {money} From {investor}",
             ("{investor} led the round, which values {org} at several times its last valuation, people "
              "familiar with the deal said.")),
            ("{org2} Acquires {org} in Deal Valued at {money}",
             ("{org2} will fold {org}'s {ptype} into its own products, and most of {org}'s staff will "
              "join the company.")),
            ("{org} Shuts Down After Failing to Raise New Funding",
             ("{org} told customers its {ptype} will stop working at the end of next month and that it "
              "would help them export their data.")),
            ("{org} Lays Off a Third of Staff and Pivots to Enterprise Customers",
             ("{org} said selling its {ptype} to large companies rather than individuals gives it a "
              "clearer path to profit.")),
            ("{org} Passes {count},000 Paying Customers Two Years After Launch",
             ("{org} says its {ptype} is now profitable on a monthly basis, without the new funding round "
              "many had expected.")),
            ("{investor} Closes {big_money} Fund Aimed at Climate Startups",
             ("{investor}, an early backer of {org}, said the fund will focus on companies using software "
              "to cut emissions.")),
            ("{org} Hires Former {org2} Executive as Chief Operating Officer",
             ("The appointment brings experience running a large {ptype} business to {org} as it "
              "prepares for its next funding round.")),
            ("{org} Launches Out of Stealth With {money} and a Long Waitlist",
             ("{org} has spent {n_months} months building a {ptype} and says thousands of businesses have "
              "signed up to try it.")),
            ("{org} Expands to {region} After Doubling Revenue",
             ("{org} is opening an office in {region}, its first outside its home market, after revenue "
              "from its {ptype} doubled last year.")),
        ]),
    ),
]

NEWS_LEDES = _templates([
    ("{org} confirmed the plans in a statement, saying the change reflects what customers have been "
     "asking for. Further details, including timing for different regions, will follow in the coming "
     "weeks."),
    ("The announcement ends months of speculation about {org}'s next steps. People briefed on the "
     "plans described it as one of its most significant decisions in {n_years} years, and one that was "
     "debated at length."),
    ("{org} shared the news with partners before making it public, a sequence that suggests it expects "
     "questions about what it means for existing agreements. Partners reached for comment were broadly "
     "supportive."),
    ("For {org}, the move is part of a broader effort to focus on the areas where it believes it can "
     "grow fastest over the next few years. It also marks a clear break with the strategy of its "
     "recent past."),
])
ANALYSIS_LEDES = _templates([
    ("{org}'s latest move is a useful lens on {topic}, a subject that has so far produced more "
     "conference panels than working products. That may finally be changing, though not for the "
     "reasons most people cite."),
    ("Every few years, someone declares {topic} either the next big thing or a dead end. The truth, as "
     "usual, sits somewhere less exciting in between, and the details are where the interesting "
     "questions are."),
    ("Ask ten people in the industry about {topic} and you will get ten different answers. Ask them "
     "about the costs, and the answers start to converge in ways that should worry anyone planning a "
     "big bet."),
    ("It has been a busy few months for {topic}, and {org} has been at the center of much of it, for "
     "better and for worse. Looking past the announcements, a clearer picture of the market is "
     "starting to form."),
])
ROUNDUP_LEDES = _templates([
    ("According to {source}, the plans are not final and could still change before {org} makes any "
     "public announcement. The report describes discussions that have been under way for several "
     "months."),
    ("{source} reported the news first, citing people familiar with {org}'s plans. Here is a summary "
     "of what the report says, what it leaves open and why it matters for customers and rivals."),
    ("The report from {source} draws on internal documents and interviews with people who have worked "
     "with {org}. We have not independently confirmed the details, and {org} has not commented "
     "publicly."),
])
ROUNDUP_ATTRIBUTIONS = _templates([
    "{source} first reported the news, citing people familiar with the matter.",
    "The details were first reported by {source}.",
    "{source} has the full story, including comment from people close to the plans.",
])
ROUNDUP_HEADLINES = ["Report: {title}", "{title}, Report Says", "{title}, {source} Reports"]

ANALYSIS_EVENTS = _events([
    ("Why {org}'s Bet on {topic} Is Harder Than It Looks",
     ("{org} is not the only company making this bet; here is what has to go right, and what usually "
      "goes wrong.")),
    ("What the Latest Fight Over {topic} Is Really About",
     ("The public argument is about features and fairness, but the real dispute is over who pays and who "
      "keeps the margin.")),
    ("The Quiet Economics of {topic}",
     ("The headlines focus on launches, but the numbers behind {topic} tell a more complicated story "
      "about margins and patience.")),
    ("The Cost Problem Hiding Inside {topic}",
     ("Upfront prices keep falling while the ongoing costs keep rising, and buyers are starting to "
      "notice.")),
    ("Five Questions About {org}'s Next {ptype}",
     ("Before {org} shows its next {ptype}, a look at the decisions that will decide whether it "
      "matters.")),
    ("Are Buyers Finally Ready for {topic}?",
     ("Years of promises have left buyers skeptical; here is what has changed, and what to watch over the "
      "next {n_months} months.")),
    ("Inside {org}'s Long, Expensive Push Into {topic}",
     ("{org} has spent {n_years} years and a great deal of money on {topic}, and the payoff is still "
      "uncertain.")),
    ("How {topic} Became the Industry's Favorite Argument",
     ("Everyone in technology seems to have an opinion on {topic}, and most of them are arguing past "
      "each other.")),
    ("The Case Against Rushing Into {topic}",
     ("Moving fast has obvious benefits, but the companies that waited have often ended up with better "
      "results.")),
    ("{org} and {org2} Are Racing Toward the Same Wall",
     "{org} and {org2} have made similar bets on {topic}, and both now face the same hard limits."),
    ("What {org}'s {ptype} Says About the Future of {topic}",
     ("A single product rarely settles a debate, but this one shows clearly which way {org} expects the "
      "market to move.")),
    ("After the Hype, a Sober Look at {topic}",
     "The excitement has faded, which makes this a good moment to ask what {topic} can actually deliver."),
    ("Three Numbers That Explain the Slowdown in {topic}",
     "Spending, adoption and churn all point in the same direction, even if the marketing does not."),
    ("The Growing Pains of {topic}",
     ("What worked for early adopters is not working for everyone else, and the gap is getting harder "
      "to ignore.")),
    ("The Winners and Losers of {org}'s Latest Gamble",
     ("{org}'s decision will help some customers and partners more than others; here is how it breaks "
      "down.")),
    ("Who Really Benefits From the Boom in {topic}?",
     "Money is pouring into {topic}, but most of the gains so far have gone to a handful of suppliers."),
    ("Why Buyers Are Souring on {topic}",
     "Companies that signed up early are renewing more cautiously, and their reasons are instructive."),
    ("The Next Fight Over {topic} Will Be About Price, Not Features",
     ("As products converge, the competition over {topic} is shifting to contracts, discounts and "
      "bundles.")),
])

# Middle and closing paragraphs: general enough to follow any lede, mixed from pools built once per run.
NEWS_PARAGRAPHS = _templates([
    ("Analysts were divided on what the move signals. {person}, {affiliation}, said the more important "
     "question is whether customers notice any difference within {n_months} months."),
    ("\"{quote},\" said {person}, {affiliation}. Others were more cautious, noting that similar plans have "
     "been announced before and quietly dropped."),
    ("The timing is notable. Budgets for next year are being set now, and buyers have grown skeptical of "
     "promises that are not backed by hard numbers."),
    ("Not everyone is convinced. Critics note that similar efforts have stalled before, usually when early "
     "enthusiasm ran into the cost of doing the work at scale."),
    ("Several details remain unclear, including pricing, the exact timeline and how existing customers "
     "will be affected. A spokesperson said more information would follow."),
    ("Rivals have so far been cautious in public. Two competitors contacted for this story declined to "
     "comment, and a third said it was reviewing the announcement."),
    ("People familiar with the plans said the decision followed months of internal debate, with some "
     "teams arguing for a slower and more limited rollout."),
    ("Employees learned of the change in an internal message shortly before it was made public, according "
     "to two people who saw it and asked not to be named."),
    ("Industry estimates suggest spending in the category rose about {pct} percent last year, although "
     "growth has been uneven and concentrated among the largest buyers."),
    ("There is some history here. A similar effort {n_years} years ago was wound down after it failed to "
     "meet internal targets, a precedent that is not lost on investors."),
    ("\"{quote},\" {person}, {affiliation}, said in an interview. The comment reflects a wider mood among "
     "buyers who have been burned by earlier promises."),
    ("The practical effect may be modest at first. Most customers are locked into contracts that run for "
     "at least {n_months} more months, which limits how quickly anything changes."),
])
NEWS_CLOSINGS = _templates([
    ("More details are expected with the next quarterly update, when investors are likely to press for "
     "specifics. We will update this story as more information becomes available."),
    ("A spokesperson did not respond to a request for further comment. Questions about pricing and "
     "timing are likely to come up again in the coming weeks, as customers start planning around the "
     "change."),
    ("What happens next depends largely on how rivals respond, and on whether early customers see the "
     "benefits promised in the announcement. The first signs should be visible within a few months."),
])
ANALYSIS_PARAGRAPHS = _templates([
    ("Start with the money. The upfront costs are easy to see, but the ongoing ones, such as support, "
     "integration and retraining, tend to arrive later and larger than planned."),
    ("There is a pattern here. Each wave of enthusiasm has produced a handful of durable winners and a "
     "long tail of products that quietly disappeared."),
    ("The optimistic case is simple: costs fall, quality improves and buyers who waited get a better deal. "
     "The pessimistic case is that the savings never reach customers."),
    ("\"{quote},\" said {person}, {affiliation}. That tension runs through almost every conversation about "
     "the subject."),
    ("Regulation is the wild card. Rules being drafted in several markets could raise compliance costs "
     "just as the economics start to look attractive."),
    ("Smaller players face the hardest choices. They cannot match the spending of the largest companies, "
     "and partnering with them risks becoming dependent on them."),
    ("For buyers, the practical advice has not changed much: run a small pilot, measure it honestly and "
     "avoid long commitments until the numbers hold up."),
    ("It is worth remembering how recent all of this is. Only {n_years} years ago few companies had a "
     "budget line for it; now most large ones do."),
    ("None of this means the skeptics are right. It means the easy gains have been taken, and what is left "
     "will require patience and better engineering."),
    ("Survey data points the same way: roughly {pct} percent of companies say they will spend more next "
     "year, but far fewer can say what they will measure."),
])
ANALYSIS_CLOSINGS = _templates([
    ("The next {n_months} months should settle some of these questions. Until then, the safest "
     "assumption is that progress will be real but slower than the marketing suggests."),
    ("Watch the boring numbers: renewals, support costs and how often pilots turn into contracts. They "
     "will say more than any launch event, and they are much harder to spin."),
    ("None of this will be decided by a single announcement. It will be decided, slowly, by what "
     "customers keep paying for once the introductory discounts run out and contracts come up for "
     "renewal."),
])
ROUNDUP_CLOSINGS = _templates([
    ("{source} has more detail in its full report, including the timeline described by people close to "
     "the plans and the open questions that remain. We will follow up as the story develops."),
    ("The full report is available from {source}. We have asked the company for comment and will "
     "update this summary if it responds, or if any of the details reported so far change."),
    ("Read the complete story at {source}, which also looks at how the plans compare with earlier "
     "attempts by rivals and what they could mean for prices."),
])

# Reporters: (name, section they mostly write for, one-sentence bio).
AUTHORS = [
    ("Maya Okafor", "AI",
     ("Maya Okafor covers artificial intelligence, from research labs to the companies racing to sell "
      "their models.")),
    ("Daniel Reyes", "Business & Tech",
     "Daniel Reyes writes about earnings, deals and the economics of the technology industry."),
    ("Priya Natarajan", "Security",
     "Priya Natarajan reports on breaches, vulnerabilities and the people who find them."),
    ("Tomasz Wielgus", "Gadgets",
     "Tomasz Wielgus reviews phones, laptops and wearables, and cares a lot about battery life."),
    ("Hannah Lindqvist", "Science",
     "Hannah Lindqvist covers physics, energy and climate research from labs around the world."),
    ("Marcus Bell", "Policy",
     "Marcus Bell follows technology regulation, antitrust cases and the lawmakers behind them."),
    ("Aiko Tanabe", "Startups",
     "Aiko Tanabe writes about founders, funding rounds and what happens after the money arrives."),
    ("Samuel Adeyemi", "Business & Tech",
     "Samuel Adeyemi covers cloud computing and enterprise software from the buyer's side."),
    ("Clara Fontaine", "AI",
     "Clara Fontaine reports on AI chips, data centers and the supply chains behind them."),
    ("Rafael Ortega", "Gadgets",
     "Rafael Ortega tests smart home devices, cameras and anything else with a charging port."),
    ("Ingrid Solberg", "Policy",
     "Ingrid Solberg covers privacy law and digital regulation in Europe and beyond."),
    ("Jonah Whitfield", "Startups",
     "Jonah Whitfield tracks venture capital, acquisitions and the startups worth watching."),
]


# ---- text generation -------------------------------------------------------

_MINOR_WORDS = frozenset({
    "a", "an", "and", "as", "at", "but", "by", "for", "in", "nor", "of", "on", "or", "per", "the", "to",
    "vs", "via",
})


def headline_case(text: str) -> str:
    """Capitalise every word except short connectives; never lowercases, so "AI" and "Series A" stay."""
    words = text.split(" ")
    cased = []
    for i, word in enumerate(words):
        starts_phrase = i == 0 or cased[-1].endswith(":")
        parts = word.split("-")
        cased.append("-".join(
            part[:1].upper() + part[1:] if (j == 0 and starts_phrase) or part not in _MINOR_WORDS else part
            for j, part in enumerate(parts)
        ))
    return " ".join(cased)


def _sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fill(rng: random.Random, beat: Beat, context: dict, template: Template) -> str:
    """The template with its fields filled, drawing any the story has not used yet."""
    for name in template.fields:
        if name not in context:
            value = FIELD_DRAWERS[name](rng, beat)
            if name == "org2" and value == context["org"]:
                value = COMPANIES[(COMPANIES.index(value) + 1) % len(COMPANIES)]
            context[name] = value
    # Names ending in "s" take a bare apostrophe: "Helio Systems' chip", not "Systems's".
    return template.text.format_map(context).replace("s's ", "s' ")


def _paragraph_pool(rng: random.Random, templates: list[Template], size: int) -> list[str]:
    """Ready-made paragraphs, so each story only picks from a list instead of formatting its body.

    Their templates use only fields that depend on neither the beat nor the story's {org}.
    """
    return [_sentence_start(_fill(rng, BEATS[0], {"org": ""}, rng.choice(templates))) for _ in range(size)]


@dataclass
class StoryText:
    title: str
    summary: str
    body: str
    outlet: tuple[str, str] | None = None  # roundups: (name, domain) of the outlet summarised
    source_title: str = ""  # roundups: the headline as that outlet ran it


class StoryWriter:
    """Writes stories from one random generator, so a given seed always yields the same text."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        # Events used by the last few stories: neighbouring headlines should not share a template.
        self.recent_events = deque(maxlen=8)
        self.news_middles = _paragraph_pool(rng, NEWS_PARAGRAPHS, 400)
        self.news_closings = _paragraph_pool(rng, NEWS_CLOSINGS, 60)
        self.analysis_middles = _paragraph_pool(rng, ANALYSIS_PARAGRAPHS, 300)
        self.analysis_closings = _paragraph_pool(rng, ANALYSIS_CLOSINGS, 60)

    def write(self, beat: Beat, kind: Kind) -> StoryText:
        rng = self.rng
        context = {"org": rng.choice(beat.orgs)}
        outlet = None
        if kind is Kind.roundup:
            outlet = rng.choice(OUTLETS)
            context["source"] = outlet[0]
        events = (beat.analysis or ANALYSIS_EVENTS) if kind is Kind.analysis else beat.news
        for _ in range(20):
            event = rng.choice(events)
            source_title = headline_case(_fill(rng, beat, context, event.title))
            title = source_title
            if kind is Kind.roundup:
                title = rng.choice(ROUNDUP_HEADLINES).format(title=source_title, source=outlet[0])
            if len(title) in TITLE_LENGTH and event not in self.recent_events:
                break
        self.recent_events.append(event)
        summary = _sentence_start(_fill(rng, beat, context, event.summary))

        if kind is Kind.analysis:
            ledes, middles, closings = ANALYSIS_LEDES, self.analysis_middles, self.analysis_closings
        elif kind is Kind.roundup:
            ledes, middles, closings = ROUNDUP_LEDES, self.news_middles, None
            summary += " " + _fill(rng, beat, context, rng.choice(ROUNDUP_ATTRIBUTIONS))
        else:
            ledes, middles, closings = beat.ledes or NEWS_LEDES, self.news_middles, self.news_closings
        lede = _sentence_start(_fill(rng, beat, context, rng.choice(ledes)))
        if closings is None:
            closing = _fill(rng, beat, context, rng.choice(ROUNDUP_CLOSINGS))
        else:
            closing = rng.choice(closings)
        paragraphs = [lede, *rng.sample(middles, rng.randint(1, 3)), closing]
        return StoryText(title, summary, "\n\n".join(paragraphs), outlet, source_title)


# ---- loading ---------------------------------------------------------------

def _get_or_create_sections() -> dict[str, Section]:
    """Sections by name; ones that already exist (matched by slug) are reused."""
    existing = {s.slug: s for s in db.session.scalars(select(Section))}
    sections = {}
    for beat in BEATS:
        slug = slugify(beat.name)
        section = existing.get(slug)
        if section is None:
            section = Section(name=beat.name, slug=slug, description=beat.description)
            db.session.add(section)
        sections[beat.name] = section
    return sections


def _get_or_create_authors() -> list[tuple[Author, str]]:
    """Each reporter with the section name they mostly write for."""
    existing = {a.slug: a for a in db.session.scalars(select(Author))}
    authors = []
    for name, section_name, bio in AUTHORS:
        slug = slugify(name)
        author = existing.get(slug)
        if author is None:
            email = name.lower().replace(" ", ".") + "@example.com"
            author = Author(name=name, slug=slug, email=email, bio=bio)
            db.session.add(author)
        authors.append((author, section_name))
    return authors


def _sync_id_sequence() -> None:
    """PostgreSQL's id sequence does not see explicit ids; move it past them for later inserts."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT setval(pg_get_serial_sequence('articles', 'id'), (SELECT max(id) FROM articles))")
        )


def load_demo(articles: int = 200, drafts: int = 0, progress=None, now=None) -> int:
    """Load demo content into an EMPTY database; returns the number of stories added (0 if any Article
    already exists: then it adds nothing at all).

    `articles` published stories plus `drafts` unpublished ones. `progress(n)` is called after each
    committed chunk with the number of stories it added. `now` (aware UTC) anchors the timeline: the
    newest story is 2-20 minutes old and the gaps between stories average min(20 minutes, 30 days / N).
    """
    if has_any_story():
        return 0
    now = now or utcnow()
    rng = random.Random(f"demo-{articles}-{drafts}")

    sections = _get_or_create_sections()
    authors = _get_or_create_authors()
    db.session.commit()
    beats_and_section_ids = [(beat, sections[beat.name].id) for beat in BEATS]
    beat_weights = list(accumulate(beat.weight for beat in BEATS))
    author_ids = [author.id for author, _ in authors]
    # A story's lead reporter is usually from its section's desk.
    desk_ids = {
        beat.name: [author.id for author, section_name in authors if section_name == beat.name] or author_ids
        for beat in BEATS
    }

    # Seconds before `now` for each published story, oldest first (ids grow with publication time).
    mean_gap = min(20 * 60, 30 * 86400 / max(articles, 1))
    newest_age = rng.uniform(2 * 60, 20 * 60)
    gaps = (mean_gap * rng.uniform(0.25, 1.75) for _ in range(articles - 1))
    ages = list(accumulate(gaps, initial=newest_age))
    ages.reverse()

    writer = StoryWriter(rng)
    total = articles + drafts
    for chunk_start in range(0, total, CHUNK_SIZE):
        article_rows, byline_rows = [], []
        for index in range(chunk_start, min(chunk_start + CHUNK_SIZE, total)):
            article_id = index + 1
            beat, section_id = rng.choices(beats_and_section_ids, cum_weights=beat_weights)[0]
            roll = rng.random()
            kind = Kind.news if roll < 0.6 else Kind.analysis if roll < 0.8 else Kind.roundup
            story = writer.write(beat, kind)

            if index < articles:
                status = Status.published
                published_at = now - timedelta(seconds=ages[index])
                updated_at = published_at
                if rng.random() < 0.25:  # some stories were revised after publication
                    updated_at = min(now, published_at + timedelta(minutes=rng.uniform(1, 120)))
            else:
                status, published_at = Status.draft, None
                updated_at = now - timedelta(minutes=rng.uniform(5, 2 * 24 * 60))

            source_name = source_url = None
            if story.outlet:
                source_name, domain = story.outlet
                dated = published_at or updated_at
                path = f"{dated.year}/{dated.month:02d}/{slugify(story.source_title, 60)}"
                source_url = f"https://{domain}/{path}"

            article_rows.append({
                "id": article_id, "title": story.title, "slug": slugify(story.title),
                "summary": story.summary, "body": story.body, "kind": kind, "status": status,
                "source_name": source_name, "source_url": source_url, "section_id": section_id,
                "published_at": published_at, "updated_at": updated_at,
            })

            lead = rng.choice(desk_ids[beat.name])
            byline = [lead]
            co_authors = rng.choices([0, 1, 2], weights=[70, 25, 5])[0]
            if co_authors:
                byline += rng.sample([a for a in author_ids if a != lead], co_authors)
            byline_rows.extend(
                {"article_id": article_id, "author_id": author_id, "position": position}
                for position, author_id in enumerate(byline)
            )

        # render_nulls keeps rows with and without source_url in one executemany batch.
        db.session.execute(insert(Article).execution_options(render_nulls=True), article_rows)
        db.session.execute(insert(ArticleAuthor), byline_rows)
        db.session.commit()
        if progress is not None:
            progress(len(article_rows))

    _sync_id_sequence()
    db.session.commit()
    return total
