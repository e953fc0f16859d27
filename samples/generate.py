#!/usr/bin/env python3
"""Generates realistic, valid sample agreements of any size (deterministic for a given seed).

    python3 samples/generate.py --partners 25  --seed 25  -o samples/regio-middel-25.xml
    python3 samples/generate.py --partners 108 --seed 108 -o samples/regio-groot-108.xml

The committed samples are this script's output; tests/cli checks they still are.
Names use Dutch diacritics and particles on purpose (ë, ü, ø, ç, 't, IJ): the pipeline must
carry them unchanged from XML to PDF to certificate.
"""
import argparse
import random
from xml.sax.saxutils import escape, quoteattr

FIRST = ["Anouk", "Zoë", "Joost", "Mohamed", "Femke", "Pieter-Jan", "Ingrid", "Noël", "Françoise",
         "Jürgen", "Aïsha", "Geert-Jan", "Mirjam", "Ruud", "Sanne", "Bram", "Eline", "Daan", "Ayşe",
         "Sjoerd", "Linde", "Thijs", "Chloë", "Björn", "Fleur", "Youssef", "Renée", "Hüseyin",
         "Marieke", "Søren", "IJsbrand", "Loïs", "Wouter", "Maaike", "Hanneke", "Gerrit", "Inês"]
LAST = ["de Vries", "Ünal-Bakker", "van 't Hek", "El Amrani", "Jansen", "Ødegaard", "Smit",
        "Brinkërs", "IJzerman", "Smeulders", "Çelik", "van 't Oever", "Brünink", "IJpelaar",
        "Bosman", "Kuipers", "van der Meulen", "Postma", "Yılmaz", "de Wit", "Hoekstra", "Mulder",
        "van den Berg", "Ter Horst", "Dijkstra", "Boukhari", "Visser", "van IJsseldijk", "Möller",
        "Schaap", "Groenewoud", "Kraaijeveld", "Reuvekamp", "D'Hondt", "Oostërhuis"]
PLACES = ["Capelle aan den IJssel", "Zwolle", "Kampen", "Deventer", "IJsselstein", "Nijkerk",
          "Den Haag", "'s-Hertogenbosch", "Lelystad", "Zutphen", "Apeldoorn", "Harderwijk",
          "Oss", "Tiel", "Culemborg", "Gorinchem", "Sliedrecht", "Alblasserdam", "Dronten"]
STREETS = ["Industrieweg", "Stationsplein", "Kerkstraat", "Havenkade", "Molenweg", "Schoolstraat",
           "Technopark", "Energieweg", "Ambachtsweg", "Nieuwe Gracht", "Lübeckplein", "Oosterhaven"]
SCHOOL_NAMES = {
    "vmbo": ["Vakcollege {p}", "Technisch College 't {p}", "Scholengemeenschap {p}", "{p} College vmbo",
             "Maritiem Vakcollege {p}"],
    "mbo": ["ROC {p} Techniek", "Vakschool {p}", "Techniek College {p}"],
    "po": ["Basisschool De Zonnewijzer {p}", "Openbare Basisschool 't Kompas {p}", "Basisschool De Ééndracht {p}",
           "Daltonschool {p}", "Kindcentrum IJsselzicht {p}"],
    "vso": ["VSO De Brug {p}", "Mytylschool {p}"],
    "pro": ["Praktijkschool {p}", "Praktijkonderwijs De Boei {p}"],
    "hbo": ["Hogeschool {p}"],
}
COMPANIES = ["Installatietechniek {n} B.V.", "Bouwbedrijf {n} & Zn.", "{n} Elektrotechniek",
             "Metaalbewerking {n}", "{n} Mechatronica B.V.", "Scheepswerf {n}", "Agrotechniek {n}",
             "Stichting Techniek {p} (werkgeversorganisatie)", "{n} Installatiegroep", "Koeltechniek {n}"]
TASKS = {
    "vmbo": "Verzorgt het praktijkonderwijs in de techniekprofielen en deelt het {lab} met de regio.",
    "mbo": "Doorlopende leerlijn vmbo-mbo in het {lab}; gastlessen en examenfaciliteiten.",
    "po": "Techniekweken voor groep 7 en 8 in het {lab}.",
    "vso": "Neemt deel aan de technieklessen in het {lab}, met aangepaste begeleiding.",
    "pro": "Praktijkgerichte technieklessen in het {lab}.",
    "hbo": "Lerarenopleiding techniek: stages en nascholing van docenten in het {lab}.",
    "bedrijf": "Levert apparatuur voor het {lab}, stageplaatsen en hybride docenten.",
    "overheid": "Leerlingenvervoer naar het {lab} en afstemming met het gemeentelijk onderwijsbeleid.",
}
LABS = ["installatielab", "metaallab", "techlab", "mechatronicalab", "bouwlab", "praktijklokaal PIE",
        "energielab", "maritiem lab"]
BESTUUR_FUNCTIES = ["Lid College van Bestuur", "Voorzitter College van Bestuur", "Bestuurder"]


def mix(n_partners):
    """Partner kinds for a region of n partners: the rule minimums first, then a realistic mix."""
    kinds = ["vmbo", "vmbo", "mbo", "po", "bedrijf", "overheid"]
    cycle = ["vmbo", "po", "bedrijf", "bedrijf", "po", "mbo", "bedrijf", "vmbo", "overheid", "po",
             "bedrijf", "pro", "bedrijf", "vso", "po", "bedrijf", "hbo", "overig"]
    i = 0
    while len(kinds) < n_partners:
        kinds.append(cycle[i % len(cycle)])
        i += 1
    return kinds


class Generator:
    def __init__(self, seed):
        self.rnd = random.Random(seed)
        self.used_brin = set()
        self.used_kvk = set()

    def person(self):
        return f"{self.rnd.choice(FIRST)} {self.rnd.choice(LAST)}"

    def brin(self):
        while True:
            value = f"{self.rnd.randint(0, 99):02d}{self.rnd.choice('ABCDEFGHJKLMNPQRTUVWXYZ')}{self.rnd.choice('ABCDEFGHJKLMNPQRTUVWXYZ')}"
            if value not in self.used_brin:
                self.used_brin.add(value)
                return value

    def kvk(self):
        while True:
            value = f"{self.rnd.randint(1000000, 99999999):08d}"
            if value not in self.used_kvk:
                self.used_kvk.add(value)
                return value

    def postcode(self):
        letters = "ABCEGHJKLMNPRTVWXZ"  # never SA, SD, SS
        return f"{self.rnd.randint(1000, 9999)} {self.rnd.choice(letters)}{self.rnd.choice(letters)}"


def email(naam, domain):
    local = naam.lower()
    for a, b in [("ë", "e"), ("ü", "u"), ("ø", "o"), ("ç", "c"), ("ï", "i"), ("é", "e"), ("ö", "o"),
                 ("ş", "s"), ("ı", "i"), ("ê", "e"), ("è", "e"), ("å", "a"), ("'", ""), (" ", "."),
                 ("ä", "a"), ("á", "a"), ("ñ", "n")]:
        local = local.replace(a, b)
    return f"{local}@{domain}.example.nl"


def capital(word):
    """A surname as the start of a company name: "IJpelaar", "Ünal-Bakker" (str.capitalize gives "Ijpelaar")."""
    if word.lower().startswith("ij"):
        return "IJ" + word[2:]
    return word[:1].upper() + word[1:]


def partner_xml(g, index, kind, penvoerder, state):
    pid = f"p{index:03d}"
    place = g.rnd.choice(PLACES)
    lab = g.rnd.choice(LABS)
    lines = [f'    <partner id="{pid}" soort="{kind}"' + (' penvoerder="ja">' if penvoerder else ">")]
    school = kind not in ("bedrijf", "overheid", "overig")
    domain = f"{kind}{index:03d}"
    if school:
        name = g.rnd.choice(SCHOOL_NAMES[kind]).format(p=place)
        lines.append(f"      <naam>{escape(name)}</naam>")
        lines.append(f"      <brin>{g.brin()}</brin>")
        lines.append(f"      <vestigingsnummer>{g.rnd.randint(0, 9):02d}</vestigingsnummer>")
        lines.append(f'      <bevoegdGezag naam={quoteattr("Stichting Onderwijs " + place)} nummer="{g.rnd.randint(10000, 99999)}"/>')
        if g.rnd.random() < 0.3:
            lines.append(f"      <kvk>{g.kvk()}</kvk>")
        geld, uren = (0, g.rnd.choice([1200, 1600])) if penvoerder else (g.rnd.choice([0, 0, 5000, 15000]), g.rnd.randint(4, 80) * 10)
    else:
        if kind == "overheid":
            name = f"Gemeente {place}"
        elif kind == "overig":
            name = f"Stichting Jongeren & Techniek {place}"
        else:
            name = g.rnd.choice(COMPANIES).format(n=capital(g.rnd.choice(LAST).split()[-1]), p=place)
        lines.append(f"      <naam>{escape(name)}</naam>")
        lines.append(f"      <kvk>{g.kvk()}</kvk>")
        lines.append(f'      <adres straat={quoteattr(g.rnd.choice(STREETS) + " " + str(g.rnd.randint(1, 250)))} '
                     f'postcode="{g.postcode()}" plaats={quoteattr(place)}/>')
        # A company puts in € 5 000 to € 40 000 over four years: a 108-partner region then asks
        # about € 7 million, in line with what STO regions receive.
        geld = g.rnd.randint(2, 16) * 2500 if kind == "bedrijf" else g.rnd.choice([0, 10000, 25000])
        uren = g.rnd.randint(1, 40) * 10
    if kind == "bedrijf":
        state["bedrijf_geld"] += geld
    task = TASKS.get(kind, "Bevordert de belangstelling voor techniek bij jongeren in de regio ({lab}).").format(lab=lab)
    if penvoerder:
        task = "Penvoerder: programmamanagement, financiële administratie en verantwoording aan DUS-I. " + task
    lines.append(f'      <bijdrage geld="{geld}.00" uren="{uren}">{escape(task)}</bijdrage>')
    signers = []
    if school:
        if penvoerder or g.rnd.random() < 0.42:
            signers.append(("directeur", f"Directeur {kind}"))
        signers.append(("bestuur", g.rnd.choice(BESTUUR_FUNCTIES)))
        if g.rnd.random() < 0.08:
            signers.append(("bestuur", "Lid College van Bestuur"))  # gezamenlijk bevoegde bestuurders
    elif kind == "overheid":
        signers.append(("kvk", "Wethouder Onderwijs"))
    elif g.rnd.random() < 0.15:
        signers.append(("gemachtigde", "Bedrijfsleider"))
    else:
        signers.append(("kvk", g.rnd.choice(["Algemeen directeur", "Directeur-eigenaar", "Voorzitter"])))
    seen = set()
    for hoedanigheid, functie in signers:
        naam = g.person()
        while naam in seen:
            naam = g.person()
        seen.add(naam)
        state["signer"] += 1
        sid = f"s{state['signer']:03d}"
        extra = ' machtiging="Volmacht directie d.d. 2024-09-01"' if hoedanigheid == "gemachtigde" else ""
        lines.append(f'      <tekenbevoegde id="{sid}" naam={quoteattr(naam)} functie={quoteattr(functie)} '
                     f'hoedanigheid="{hoedanigheid}"{extra} email="{escape(email(naam, domain))}"/>')
    lines.append("    </partner>")
    return lines


def generate(n_partners, seed):
    g = Generator(seed)
    state = {"signer": 0, "bedrijf_geld": 0}
    body = []
    for i, kind in enumerate(mix(n_partners), start=1):
        body += partner_xml(g, i, kind, i == 1, state)
    # Budget such that companies co-finance about 12 % (rule 4 asks at least 10 %).
    begroting = state["bedrijf_geld"] * 100 // 12
    subsidie = begroting * 9 // 10
    number = 25000 + seed
    head = f'''<?xml version="1.0" encoding="UTF-8"?>
<samenwerkingsovereenkomst xmlns="urn:sto:samenwerkingsovereenkomst:1" kenmerk="STO25-{seed:03d}-SOK" versie="1">
  <regeling naam="Subsidieregeling sterk techniekonderwijs 2025-2028" begin="2025-01-01" einde="2028-12-31"/>
  <regio nummer="STO{number}" naam="STO-regio Gelderse IJssel {n_partners}" soort="techniekregio" subsidie="{subsidie}.00" begroting="{begroting}.00"/>
  <looptijd einde="2028-12-31" verlenging="ja"/>
  <opgesteld datum="2024-10-15" plaats="Zutphen"/>
  <verwijzingen>
    <document soort="regiovisie" titel="Regiovisie techniekonderwijs 2025-2028" datum="2024-10-01"/>
    <document soort="activiteitenplan" titel="Activiteitenplan op hoofdlijnen 2025-2028" datum="2024-10-01"/>
    <document soort="begroting" titel="Meerjarenbegroting 2025-2028" datum="2024-10-04"
              sha256="{random.Random(seed * 7).getrandbits(256):064x}"/>
  </verwijzingen>
  <partners>'''
    tail = '''  </partners>
  <afspraken>
    <afspraak titel="Organisatie van de samenwerking">
      <p>De regio kent een stuurgroep waarin elke partner is vertegenwoordigd, een programmamanager en werkgroepen per programmalijn.</p>
      <p>De stuurgroep vergadert ten minste vier keer per jaar en stelt jaarlijks het uitgewerkte activiteitenplan vast.</p>
    </afspraak>
    <afspraak titel="Verdeling van gelden">
      <p>De penvoerder verdeelt de subsidie volgens de vastgestelde begroting. Wijzigingen boven € 7.500 worden vooraf aan de stuurgroep voorgelegd.</p>
      <lijst>
        <item>Programmalijn instroom: 35%</item>
        <item>Programmalijn kwaliteit en apparatuur: 40%</item>
        <item>Programmalijn docenten: 25%</item>
      </lijst>
    </afspraak>
    <afspraak titel="Evaluatie">
      <p>De partners evalueren de samenwerking jaarlijks in de stuurgroep en leggen de uitkomst vast in het jaarverslag.</p>
    </afspraak>
  </afspraken>
</samenwerkingsovereenkomst>
'''
    return "\n".join([head] + body + [tail]), state["signer"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    if args.partners < 6:
        parser.error("--partners must be at least 6 (the regulation's minimum mix)")
    text, signers = generate(args.partners, args.seed)
    with open(args.output, "w", encoding="utf-8", newline="\n") as out:
        out.write(text)
    print(f"{args.output}: {args.partners} partners, {signers} tekenbevoegden")


if __name__ == "__main__":
    main()
