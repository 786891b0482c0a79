#!/usr/bin/env python3
"""Build the sample PDF manuals (handleidingen) of the digihulp corpus.

Writes one multi-page PDF per manual plus a sidecar YAML with the same stem
(title, app, owner, version) into corpus/handleidingen/ (or --out DIR).

The output is byte-reproducible: fixed creation date, core font (Helvetica),
no timestamps or random IDs. Run it twice and the sha256 sums are identical.

Usage:
    python scripts/build_manuals.py [--out DIR]
"""

# The manual texts below are prose: long lines are intended.
# ruff: noqa: E501

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "corpus" / "handleidingen"


@dataclass(frozen=True)
class Page:
    heading: str
    body: str  # light markup: blank line = new paragraph, "- " bullet, "1. " step, "## " subheading


@dataclass(frozen=True)
class Manual:
    stem: str
    title: str
    app: str
    owner: str
    version: str
    updated: str
    pages: tuple[Page, ...]


# --------------------------------------------------------------------------------------------
# Content. Keep everything latin-1: no curly quotes, no en/em dashes, no ellipsis, no euro sign.
# --------------------------------------------------------------------------------------------

TEAMS = Manual(
    stem="handleiding-teams-vergaderen",
    title="Vergaderen in Teams",
    app="Teams",
    owner="Lotte Verbeke",
    version="2.1",
    updated="maart 2026",
    pages=(
        Page(
            "1. Een Teams-vergadering plannen",
            """
Een vergadering plan je het makkelijkst vanuit je Outlook-agenda, want dan zie je meteen wanneer je collega's vrij zijn. Plannen vanuit Teams kan ook: klik links op Agenda en dan rechtsboven op Nieuwe vergadering. Het resultaat is hetzelfde.

## Zo plan je vanuit Outlook
1. Ga naar je Agenda en klik bovenaan op Nieuwe Teams-vergadering. Zie je die knop niet, kies dan Nieuwe afspraak en klik daarna op het Teams-icoontje in het lint.
2. Vul een duidelijke titel in, bijvoorbeeld "Overleg subsidiereglement sportclubs".
3. Voeg de deelnemers toe in het veld Verplicht of Optioneel. Ook externe e-mailadressen mogen.
4. Klik op Planningsassistent om te zien wie wanneer bezet is. Gestreepte blokjes betekenen "voorlopig".
5. Vul een korte agenda in het tekstvak in. Laat de Teams-link onderaan staan.
6. Klik op Verzenden.

## Een vergaderzaal erbij
Zit een deel van de groep fysiek samen, voeg dan de zaal toe als deelnemer via de knop Ruimtezoeker of door de naam te typen. De zalen heten bijvoorbeeld "Stadhuis - Zaal 2.04 (12p)" of "Welzijnshuis - W0.05 (10p)". De zaal aanvaardt automatisch als ze vrij is; je krijgt een mail als ze al bezet is. Zaal 2.04 en W0.05 hebben een Teams Room met camera en groot scherm, zie pagina 6.

## Goede gewoontes
- Plan vergaderingen van 25 of 50 minuten in plaats van 30 of 60. Zo heeft iedereen even tijd tussen twee vergaderingen.
- Zet de documenten die je wil bespreken in het Teams-kanaal en plak de koppeling in de uitnodiging, niet als bijlage.
- Terugkerende vergadering? Klik op Terugkeerpatroon en kies bijvoorbeeld elke drie weken op woensdag.
""",
        ),
        Page(
            "2. Deelnemen en je microfoon, camera en headset testen",
            """
Niets zo vervelend als een vergadering die vijf minuten later start omdat iemand niet gehoord wordt. Test je toestel daarom een keer op voorhand, zeker met een nieuwe headset of na de overstap naar een nieuwe laptop.

## Een testoproep maken
1. Klik in Teams rechtsboven op de drie puntjes naast je foto en kies Instellingen.
2. Klik op Apparaten.
3. Kies bij Audioapparaat je headset. Staat hij er niet tussen, trek hem uit en steek hem opnieuw in.
4. Klik op Een testoproep maken. Een stem vraagt je om een bericht in te spreken en speelt dat daarna af. Zo hoor je hoe je klinkt voor de anderen.

## Deelnemen
Klik in je agenda of in de uitnodiging op Deelnemen. Je komt eerst in het voorbeeldscherm. Daar kies je of je camera en microfoon aan of uit staan, en je kan je achtergrond vervagen. Klik daarna op Nu deelnemen.

## Handige sneltoetsen tijdens de vergadering
- Ctrl+Shift+M: microfoon aan of uit (dempen).
- Ctrl+Shift+O: camera aan of uit.
- Ctrl+Shift+K: hand opsteken of laten zakken.
- Ctrl+Spatie: ingedrukt houden om even te spreken terwijl je gedempt bent (moet je eenmalig aanzetten bij Instellingen > Privacy).

## Deelnemen via de telefoon
Heb je geen laptop of internet bij de hand? In elke uitnodiging staat onderaan een inbelnummer en een vergader-ID. Bel naar het Belgische nummer 056 00 00 90, typ het vergader-ID van de uitnodiging en sluit af met een hekje (#). Met *6 zet je je microfoon aan of uit.

## Goed om te weten
Zit je met meerdere collega's in dezelfde ruimte, ieder op zijn eigen laptop? Zet dan bij iedereen behalve een persoon de luidspreker en microfoon uit. Anders krijg je een hoge fluittoon (rondzingen) voor alle deelnemers.
""",
        ),
        Page(
            "3. Je scherm of een presentatie delen",
            """
Via de knop Delen bovenaan in de vergaderbalk (een vierkantje met een pijl) toon je iets aan de anderen. Je krijgt drie soorten keuzes: een volledig scherm, een enkel venster, of een PowerPoint-presentatie.

## Deel liever een venster dan je hele scherm
Deel je het volledige scherm, dan ziet iedereen ook je meldingen van Outlook en Teams verschijnen, en elk ander programma dat je opent. Kies daarom onder Venster het programma dat je wil tonen. Een rood kader toont wat de anderen zien. Stoppen doe je met Delen stoppen bovenaan.

## PowerPoint Live
Kies in het deelmenu onder PowerPoint Live je presentatie (of klik op Bladeren). Voordelen:
- Jij ziet je notities, de volgende dia en een overzicht van alle dia's.
- De deelnemers krijgen een scherpe weergave, ook met een trage verbinding.
- Deelnemers kunnen zelf even terugbladeren zonder de presentatie te storen.
- Met de laseraanwijzer en de pen kun je iets aanduiden.

## Geluid van een filmpje
Zet in het deelmenu het schuifje Computergeluid opnemen aan voor je een filmpje afspeelt. Zonder dat horen de deelnemers niets.

## Iemand anders laten klikken
Tijdens het delen kun je bovenaan kiezen voor Besturing geven en een deelnemer selecteren. Die kan dan in jouw gedeelde venster klikken en typen, bijvoorbeeld om samen een Excel-lijst in te vullen. Neem de besturing terug met Besturing terugnemen. Geef nooit de besturing aan een externe deelnemer als je een venster met persoonsgegevens deelt.

## Samen tekenen
Met Whiteboard (in het deelmenu) krijg je een leeg digitaal bord waarop iedereen tegelijk kan schrijven en post-its kan plakken. Handig voor een brainstorm. Het whiteboard blijft na de vergadering bewaard in de vergaderchat.
""",
        ),
        Page(
            "4. Externen uitnodigen en de wachtruimte (lobby)",
            """
Bij vergaderingen met externe partners, zoals een studiebureau, een andere gemeente of een aannemer, komen de externen eerst in de wachtruimte (lobby) terecht. Dat is een bewuste veiligheidsinstelling: zo beslis jij wie binnenkomt.

## Iemand uit de lobby toelaten
Als er iemand in de lobby wacht, verschijnt er een melding bovenaan je scherm. Klik op Toelaten of op Weergeven om de lijst te zien. Je kan ook in de lijst met Personen bij "Wachten in de lobby" op Alles toelaten klikken.

## De vergaderopties aanpassen
Open de vergadering in je agenda en klik op Vergaderopties (of tijdens de vergadering: Meer > Instellingen > Vergaderopties). Daar stel je onder andere in:
- Wie kan de lobby omzeilen: standaard "Personen in mijn organisatie". Zet het op "Alleen ik en mede-organisatoren" bij een gevoelige vergadering.
- Wie kan presenteren: zet dit op "Alleen ik en mede-organisatoren" als je niet wil dat externen plots hun scherm delen.
- Microfoons en camera's van deelnemers toestaan: handig om uit te zetten bij een infosessie met veel toehoorders.
- Mede-organisatoren: collega's die de vergadering mee mogen beheren, bijvoorbeeld als jij plots ziek bent.

## Grote infosessies voor burgers
Voor een digitale infoavond met meer dan 50 deelnemers, bijvoorbeeld over een nieuw mobiliteitsplan, gebruik je geen gewone vergadering maar een webinar of town hall. Die maak je in Teams via Agenda > pijltje naast Nieuwe vergadering. Deelnemers schrijven zich dan in en kunnen alleen vragen stellen via het Q&A-venster. Vraag bij twijfel raad aan communicatie.

## Let op
Stuur de vergaderlink niet door via sociale media. Iedereen met de link kan aankloppen in de lobby.
""",
        ),
        Page(
            "5. Opnemen, transcriptie en de afspraken daarover",
            """
Je kan een Teams-vergadering opnemen (beeld en geluid) en een transcriptie laten maken (een uitgeschreven tekst van wat gezegd wordt, met de naam van de spreker). Omdat een opname persoonsgegevens bevat, gelden er duidelijke afspraken. Ze werden vastgelegd op het digicoach-overleg van 18 maart 2026.

## De afspraken
- Je kondigt bij het begin van de vergadering aan dat je wil opnemen, en je neemt alleen op als niemand bezwaar heeft.
- Nooit opnemen bij gesprekken over individuele burgers, clienten of personeelsleden: sollicitaties, evaluaties, dossierbesprekingen, gesprekken met ouders.
- Opnames en transcripties worden sinds 1 april 2026 automatisch verwijderd na 60 dagen. Wat langer bewaard moet worden, verwerk je in een schriftelijk verslag.

## Zo start je een opname of transcriptie
1. Klik tijdens de vergadering op Meer (de drie puntjes) > Opnemen en transcriberen.
2. Kies Opname starten of alleen Transcriptie starten.
3. Alle deelnemers zien bovenaan een melding dat er opgenomen wordt.
4. Stoppen doe je via hetzelfde menu. Vergeet je het, dan stopt de opname vanzelf als de laatste persoon de vergadering verlaat.

Alleen de organisator en collega's van onze organisatie kunnen opnemen. Externen niet.

## Waar vind je de opname terug?
Na de vergadering verschijnt de opname in de chat van de vergadering en in het tabblad Opnamen en transcripties van de vergadering in je agenda. Het bestand zelf staat in de OneDrive van wie de opname startte, in de map Opnamen. Bij een kanaalvergadering staat het in de bestanden van het kanaal.

## Tip: alleen de transcriptie
Voor een verslag is een transcriptie zonder video vaak genoeg. Ze neemt minder plaats in en je kan erin zoeken met Ctrl+F. Wie een Copilot-licentie heeft, kan er ook een samenvatting van laten maken. De AI-richtlijn blijft gelden: kijk de samenvatting altijd na.
""",
        ),
        Page(
            "6. Hybride vergaderen in zaal 2.04 en W0.05",
            """
Vergaderzaal 2.04 in het stadhuis en vergaderzaal W0.05 in het welzijnshuis hebben een Teams Room: een vaste computer met een camera die de hele tafel in beeld brengt, microfoons in het plafond, een groot scherm en een aanraakscherm op tafel. Daarmee vergader je met collega's in de zaal en collega's op afstand tegelijk, zonder gedoe met kabels.

## Zo start je de vergadering in de zaal
1. Zorg dat de zaal uitgenodigd is voor de vergadering (zie pagina 1). Alleen dan verschijnt ze op het aanraakscherm.
2. Tik op het aanraakscherm op tafel bij jouw vergadering op Deelnemen.
3. De camera en de microfoons staan meteen aan. Het volume regel je met de plus en min op het aanraakscherm.
4. Op het einde tik je op de rode knop Ophangen. Vergeet je dat, dan blijft de zaal verbonden tot de geplande eindtijd.

## Je laptop erbij gebruiken
Wil je vanuit de zaal iets delen? Neem dan deel met je laptop, maar kies in het voorbeeldscherm bij Audio voor Geen audio gebruiken (of Ruimteaudio). Je microfoon en luidspreker staan dan uit en je voorkomt een fluittoon. Daarna gebruik je gewoon Delen.

## Zonder Teams
Voor een presentatie zonder Teams-vergadering ligt er een HDMI-kabel met USB-C-adapter in het bakje op tafel. Steek hem in je laptop; het scherm schakelt vanzelf over.

## Problemen
- Het aanraakscherm blijft zwart: tik er eens op, het staat soms in slaapstand.
- Niemand hoort de zaal: kijk of het microfoonsymbool op het aanraakscherm niet rood (gedempt) staat.
- Werkt het echt niet: bel de ICT-helpdesk op 056 00 00 50 en vermeld de naam van de zaal. Tijdens de kantooruren komt er iemand langs.

Laat de zaal netjes achter: kabels terug in het bakje, en de stoelen rond de tafel, zodat de camera iedereen in beeld krijgt.
""",
        ),
    ),
)

VPN = Manual(
    stem="handleiding-thuiswerken-vpn",
    title="Thuiswerken met de VPN",
    app="VPN",
    owner="Jonas Verstraete",
    version="3.0",
    updated="september 2026",
    pages=(
        Page(
            "1. Voor je begint: wat heb je nodig om thuis te werken?",
            """
Thuiswerken doe je met je werklaptop van de stad. Je privé-pc of een tablet gebruik je niet voor je werk, ook niet "even snel" om een dossier te openen. De afspraken over wie hoeveel dagen thuis mag werken, staan in het thuiswerkreglement op OASE, bij Personeel. Deze handleiding gaat alleen over de digitale kant.

## Wat heb je nodig?
- Je werklaptop en de oplader.
- Een internetverbinding van minstens 20 Mbps. Een kabel naar je router is stabieler dan wifi, zeker voor Teams-vergaderingen.
- Je gsm met de Microsoft Authenticator-app, of je beveiligingssleutel als je geen smartphone gebruikt.
- Een headset. De ingebouwde microfoon van je laptop neemt alle achtergrondgeluiden mee.
- Eventueel een extra scherm: je kan je eigen scherm thuis aansluiten via HDMI of USB-C.

## Wat werkt thuis zonder VPN?
Alles wat in de cloud van Microsoft staat, werkt gewoon met internet:
- Outlook en je agenda.
- Teams: chat, vergaderingen, bellen met je vaste nummer.
- OneDrive, SharePoint en de bestanden in je Teams-kanalen.
- OASE, het intranet.
- Copilot Chat met je werkaccount.

## Wat heeft de VPN nodig?
- De netwerkschijven: de G-schijf van je dienst en je persoonlijke H-schijf.
- Interne toepassingen, zoals de financiele toepassing, het personeelsdossier, het digitaal archief en de toepassingen van burgerzaken.
- Printen naar de follow-me-printers (zie pagina 3).

Heb je die dingen die dag niet nodig? Dan hoef je de VPN niet aan te zetten. Dat is ook beter voor de snelheid van je internet thuis.
""",
        ),
        Page(
            "2. GlobalProtect: eerste keer instellen en verbinden",
            """
Sinds januari 2026 gebruiken we GlobalProtect als VPN-programma. Het vervangt FortiClient, dat op 31 januari 2026 van alle laptops verwijderd werd. Op elke laptop van de stad staat GlobalProtect al klaar. Je herkent het aan het grijze wereldbolletje rechtsonder in de taakbalk, soms verstopt onder het pijltje (verborgen pictogrammen).

## Staat GlobalProtect niet op je laptop?
1. Zorg dat je laptop op het netwerk van het stadhuis of welzijnshuis zit.
2. Klik op Start en typ Software Center. Open het.
3. Klik bij Toepassingen op GlobalProtect en dan op Installeren.
4. Herstart je laptop als dat gevraagd wordt.
Lukt het niet, kom dan langs de ICT-balie op de 3e verdieping van het stadhuis (lokaal 3.01).

## De eerste keer verbinden
1. Klik op het wereldbolletje. Er opent een klein venster.
2. Bij Portal staat vpn.waregem.example. Staat er niets, typ het dan zelf in.
3. Klik op Verbinden.
4. Er opent een aanmeldvenster van Microsoft. Meld je aan met je e-mailadres en wachtwoord.
5. Bevestig met je Authenticator-app: typ het getal dat op je scherm staat.
6. Het wereldbolletje krijgt een schildje en in het venster staat Verbonden.

## De volgende keren
Vanaf de tweede keer onthoudt GlobalProtect je account. Een klik op Verbinden is dan meestal genoeg. Om de 10 uur verbreekt de VPN automatisch; dan verbind je gewoon opnieuw. Ook om de 14 dagen vraagt hij je opnieuw te bevestigen met de Authenticator.

## Verbreken
Klik op het wereldbolletje en kies Verbinding verbreken. Doe dat als je stopt met werken, of als je een privé-videogesprek wil voeren op je laptop.
""",
        ),
        Page(
            "3. Netwerkschijven, interne toepassingen en printen van thuis",
            """
Met de VPN aan werkt je laptop alsof hij op kantoor aan het netwerk hangt. De meeste dingen gaan dan vanzelf. Een paar dingen vragen extra aandacht.

## De G-schijf en H-schijf
Bij het opstarten probeert Windows je netwerkschijven te verbinden. Thuis lukt dat niet als de VPN nog niet aan staat, en dan zie je een rood kruisje bij G: of H:. Zo los je het op:
1. Zet de VPN aan.
2. Dubbelklik op de schijf met het rode kruisje in de Verkenner.
3. Werkt dat niet, dubbelklik dan op de snelkoppeling Schijven verbinden op je bureaublad.

Let op: de persoonlijke H-schijf wordt alleen-lezen vanaf 1 december 2026 en verdwijnt op 1 maart 2027. Verhuis je bestanden naar OneDrive, dan heb je er ook thuis geen VPN meer voor nodig.

## Interne toepassingen
Interne toepassingen open je zoals op kantoor, via het startmenu of de snelkoppeling op je bureaublad. Ze zijn thuis soms wat trager. Een toepassing die thuis niet opstart maar op kantoor wel? Kijk eerst of de VPN verbonden is, herstart daarna de toepassing.

## Printen van thuis
Met de VPN aan kan je printen naar FollowMe-Waregem. Je afdruk wacht dan in de printwachtrij tot je hem de volgende werkdag met je badge ophaalt. Let op: een afdruk blijft maar 24 uur bewaard. Print je op vrijdag, dan is hij maandag weg.
Printen op je eigen printer thuis doen we niet. Documenten blijven in het geheugen van een privéprinter staan en papieren met gegevens van burgers horen niet thuis rond te slingeren.

## Bestanden meenemen
Gebruik geen USB-sticks om bestanden mee naar huis te nemen. Zet wat je nodig hebt in OneDrive of in je Teams-kanaal, en kies Altijd op dit apparaat bewaren als je ook zonder internet wil kunnen werken.
""",
        ),
        Page(
            "4. Problemen met de VPN oplossen",
            """
Werkt de VPN niet? Loop eerst deze lijst door. De meeste problemen los je zelf op in een paar minuten.

## Foutmelding "Gateway niet bereikbaar" of "Kan geen verbinding maken met de portal"
Meestal is je internet zelf het probleem.
1. Open een website in je browser, bijvoorbeeld OASE. Lukt dat niet, dan ligt het aan je internet thuis.
2. Zit je in een hotel, trein of café? Dan moet je vaak eerst in je browser de voorwaarden van het wifinetwerk aanvaarden. Open een willekeurige website, aanvaard, en probeer daarna opnieuw te verbinden.
3. Herstart je router als je internet traag of wisselend is.

## Foutmelding "Authenticatie mislukt"
- Heb je onlangs je wachtwoord gewijzigd? Meld je dan eerst op je laptop aan met je oude wachtwoord, verbind met de VPN, vergrendel je scherm met Windows-toets + L en ontgrendel met je nieuwe wachtwoord.
- Is je account geblokkeerd na te veel foute pogingen? Wacht 15 minuten.
- Je krijgt geen melding op je Authenticator-app? Open de app zelf. Staat je gsm niet op internet, gebruik dan de code van 6 cijfers in de app.

## De verbinding valt telkens weg
- Werk via een kabel in plaats van wifi, of zet je laptop dichter bij de router.
- Streamt er in je huis iemand series of games? Dat kan je verbinding vertragen.
- Blijft het wegvallen, verbreek dan de VPN, herstart je laptop en verbind opnieuw.

## Alles werkt, behalve een bepaalde toepassing
Sluit de toepassing volledig af en open ze opnieuw nadat de VPN verbonden is. Werkt ze ook op kantoor niet, dan gaat het niet om de VPN: maak een ICT-melding.

## Hulp nodig?
Bel de ICT-helpdesk op 056 00 00 50 (werkdagen van 8u tot 16u30) of maak een ICT-melding op OASE. Vermeld de exacte foutmelding; een schermafbeelding maak je met Windows-toets + Shift + S.
""",
        ),
        Page(
            "5. Veilig thuiswerken",
            """
Thuis ben je zelf verantwoordelijk voor een deel van de beveiliging die op kantoor vanzelf geregeld is. Deze afspraken gelden voor iedereen die thuiswerkt.

## Je netwerk thuis
- Werk alleen via een beveiligd wifinetwerk met een wachtwoord (WPA2 of WPA3), of via een kabel.
- Heb je je router van je internetprovider nooit aangepast? Verander dan het standaardwachtwoord van het beheerpaneel.
- Op een openbaar wifinetwerk zet je altijd eerst de VPN aan, ook als je alleen mailt.
- Gebruik liever de hotspot van je gsm dan het gratis wifi van een station of café.

## Je laptop
- Vergrendel je scherm met Windows-toets + L telkens je wegloopt, ook thuis. Kinderen en huisgenoten klikken sneller op iets dan je denkt.
- Laat niemand anders op je werklaptop werken of surfen.
- Steek geen USB-sticks of toestellen in je laptop waarvan je niet weet waar ze vandaan komen.
- Installeer geen eigen programma's. Heb je iets nodig, vraag het via een ICT-melding.

## Gesprekken en papier
- Voer gesprekken over burgers of clienten met een headset en niet in een ruimte waar huisgenoten meeluisteren.
- Vervaag je achtergrond in Teams als er iets persoonlijks of iets van het werk achter je hangt.
- Neem zo weinig mogelijk papier mee naar huis. Papier met persoonsgegevens gaat terug mee naar kantoor en wordt daar in de containers voor vertrouwelijk papier gegooid, niet in je eigen papiermand.

## Laptop verloren of gestolen?
1. Bel meteen de ICT-helpdesk op 056 00 00 50. Buiten de kantooruren: mail naar helpdesk@waregem.example met DRINGEND in het onderwerp.
2. ICT blokkeert je laptop en je sessies op afstand.
3. Doe aangifte bij de politie en bezorg het proces-verbaal aan ICT.
4. Verwittig je diensthoofd.
Je laptop is versleuteld, dus een dief kan je bestanden niet zomaar lezen. Maar hoe sneller we het weten, hoe beter.
""",
        ),
    ),
)

PRINT = Manual(
    stem="handleiding-printen-badge",
    title="Printen, kopiëren en scannen met je badge",
    app="Printen",
    owner="Pieter Vermeulen",
    version="1.4",
    updated="februari 2026",
    pages=(
        Page(
            "1. Hoe follow-me printen werkt",
            """
In het stadhuis, de bibliotheek en het stadsmagazijn printen we sinds oktober 2025 met follow-me. In het welzijnshuis startte follow-me op maandag 16 februari 2026. Alle oude printers met een eigen naam, zoals PRT-SH2-01 op de 2e verdieping, zijn weggehaald.

## Het principe
Je print niet meer naar een bepaalde printer, maar naar een gezamenlijke printwachtrij met de naam FollowMe-Waregem. Je afdruk wacht daar op jou. Pas als je aan een printer je badge tegen de lezer houdt, komt je afdruk eruit. Dat kan aan eender welke follow-me-printer, in elk gebouw van de stad.

## Waarom?
- Vertrouwelijkheid: geen personeelsdossiers, attesten of cliëntgegevens meer die uren in de uitvoerbak liggen of per ongeluk door een collega meegenomen worden.
- Minder verspilling: wie een afdruk niet ophaalt, print niets. In het stadhuis scheelde dat in het eerste halfjaar ongeveer 18 procent papier.
- Flexibiliteit: zit je in een vergadering in het welzijnshuis, dan haal je je afdruk daar op.
- Minder toestellen: negen moderne multifunctionele toestellen vervangen meer dan dertig oude printers.

## Belangrijk om te onthouden
- Een afdruk blijft 24 uur in de wachtrij staan. Daarna wordt hij automatisch gewist.
- Standaard print alles in zwart-wit en dubbelzijdig (recto-verso).
- Je kan ook kopiëren en scannen met dezelfde toestellen, telkens na aanmelden met je badge.
- Je kan aan het toestel een afdruk die je niet meer nodig hebt verwijderen, zodat hij niet afgedrukt wordt.

## Wat heb je nodig?
- Je badge, dezelfde waarmee je de gebouwen binnenkomt.
- Je printcode van 4 cijfers, die je op OASE vindt bij Mijn gegevens > Printcode. Die heb je nodig om je badge de eerste keer te koppelen, of als je je badge vergeten bent.
""",
        ),
        Page(
            "2. Je badge koppelen en aanmelden aan het toestel",
            """
De eerste keer dat je je badge aan een follow-me-printer gebruikt, kent het toestel je badge nog niet. Je koppelt hem dan eenmalig aan je account. Daarna werkt je badge aan alle follow-me-printers.

## Eerste keer: badge koppelen
1. Houd je badge tegen de lezer: het grijze vakje met het golfjessymbool rechts naast het aanraakscherm.
2. Het scherm toont Onbekende kaart. Tik op Ja om ze te registreren.
3. Typ je gebruikersnaam: het deel van je e-mailadres voor de @, bijvoorbeeld an.declercq.
4. Typ je printcode van 4 cijfers en tik op OK.
5. Je ziet Kaart gekoppeld en meteen je wachtende afdrukken.

## Aanmelden zonder badge
Badge vergeten of werkt hij niet? Tik op het aanraakscherm op Aanmelden met code en typ je gebruikersnaam en je printcode. Je hebt dan toegang tot alles, net zoals met je badge.

## Afmelden
Tik rechtsboven op Afmelden als je klaar bent. Doe je niets, dan meldt het toestel je na 30 seconden zelf af. Ga toch niet weg voor je afgemeld bent: de volgende persoon zou anders jouw afdrukken kunnen zien.

## Printcode wijzigen
Op OASE bij Mijn gegevens > Printcode kan je zelf een nieuwe printcode kiezen. Kies geen 1234, 0000 of je geboortejaar.

## Badge verloren of een nieuwe badge
Meld een verloren badge meteen aan het onthaal van het stadhuis: hij geeft ook toegang tot de gebouwen. Met een nieuwe badge doe je de koppeling hierboven opnieuw. De oude badge werkt dan niet meer aan de printers.

## Vrijwilligers en stagiairs
Vrijwilligers van het lokaal dienstencentrum (computerklas) printen met een gastbadge die aan het onthaal van het welzijnshuis ligt. Stagiairs krijgen een eigen account en badge via hun stagebegeleider, net zoals collega's.
""",
        ),
        Page(
            "3. Printen vanop je laptop: kleur, A3, nieten en etiketten",
            """
Je print zoals je altijd deed, met Ctrl+P of via Bestand > Afdrukken. Kies als printer FollowMe-Waregem. Na de overstap naar Windows 11 staat die normaal als standaardprinter ingesteld. Staat hij er niet? Herstart je laptop terwijl je op het netwerk van de stad zit; de printer komt dan vanzelf terug.

## Kleur of enkelzijdig
Standaard is zwart-wit en dubbelzijdig. Voor een enkele afdruk pas je dat aan via Eigenschappen van printer (of Voorkeuren):
- Kleurmodus: Volledige kleur.
- Dubbelzijdig: 1-zijdig.
Na die afdruk staat alles terug op de standaard. Een kleurenafdruk kost ongeveer vijf keer zoveel als zwart-wit; print in kleur alleen wat echt in kleur moet.

## A3 en nieten
Alleen het toestel in het kopieerlokaal 1.02 op de 1e verdieping van het stadhuis heeft A3-papier en een nietmodule. Kies in de printervoorkeuren bij Papierformaat A3, of bij Afwerking Nieten linksboven of Nieten links (twee nietjes). Haal de afdruk op aan dat toestel. Aan een ander toestel blijft je opdracht hangen op "papier niet beschikbaar".

## Brochure
Wil je een A4-document als boekje op A3 laten afdrukken, dubbelgevouwen en geniet in het midden? Kies bij Afwerking de optie Brochure (middennieten). Ook dat kan alleen in lokaal 1.02.

## Etiketten en enveloppen
Etiketvellen en enveloppen leg je in de handinvoer (de klep aan de rechterzijkant van het toestel in lokaal 1.02), met de te bedrukken kant naar beneden. Kies in de printervoorkeuren bij Papierlade de optie Handinvoer en bij Papiersoort Etiketten of Envelop. Print eerst een proefblad op gewoon papier en leg het tegen je etiketvel om te kijken of alles juist valt.

## Printen vanaf je gsm
Printen vanaf je gsm of tablet is niet mogelijk. Stuur het document naar jezelf en print het vanaf je laptop.
""",
        ),
        Page(
            "4. Kopiëren en scannen aan het toestel",
            """
Elk follow-me-toestel is ook een kopieermachine en een scanner. Meld je eerst aan met je badge of met Aanmelden met code. Op het startscherm zie je dan de knoppen Afdrukken, Kopiëren, Scannen naar mijn e-mail, Scannen naar map en ID-kaart kopiëren.

## Kopiëren
1. Leg losse bladen bovenaan in de invoer (tekst naar boven) of een boek op de glasplaat (tekst naar onder, tegen de hoek linksboven).
2. Tik op Kopiëren.
3. Kies het aantal met het cijferklavier, en eventueel Kleur, Dubbelzijdig of Vergroten/verkleinen.
4. Tik op de groene knop Start.

## Scannen naar je eigen mail
Tik op Scannen naar mijn e-mail. Je adres is al ingevuld. Tik op Start. De pdf komt binnen een minuut in je mailbox, verstuurd door scanner@waregem.example. Standaard scant het toestel in zwart-wit en 200 dpi. Een mail met een scan mag maximaal 20 MB zijn; scan een dik document in delen.

## Scannen naar de map van je dienst
Voor grotere scans of scans die meteen bij je team moeten komen, tik je op Scannen naar map. Kies de map van je dienst in de lijst. De scan komt dan in de map Scans op de G-schijf van je dienst, met de datum en het uur als bestandsnaam. Geef het bestand daarna een duidelijke naam en zet het in het juiste dossier. Scans in deze map worden na 30 dagen automatisch verwijderd.

## ID-kaart kopiëren
De knop ID-kaart kopiëren zet de voorkant en achterkant van een identiteitskaart samen op een blad: leg de kaart op de glasplaat, tik op Start, draai de kaart om en tik opnieuw op Start.
Let op: een kopie van een identiteitskaart maak je alleen als een procedure dat echt vereist. Vernietig kopieën die je niet meer nodig hebt in de container voor vertrouwelijk papier.

## Vergeet je originelen niet
Kijk voor je weggaat op de glasplaat en in de uitvoerbak van de invoer.
""",
        ),
        Page(
            "5. Waar staan de printers en wat bij problemen?",
            """
Elk toestel heeft op de voorkant een sticker met een kort nummer. Vermeld dat nummer altijd als je een probleem meldt.

## Overzicht van de toestellen
- SH-0: stadhuis, gelijkvloers, achter het onthaal (alleen personeel).
- SH-1: stadhuis, 1e verdieping, kopieerlokaal 1.02. Kleur, A3, nieten, brochure, handinvoer voor etiketten.
- SH-2: stadhuis, 2e verdieping, bij de keuken (lokaal 2.15).
- SH-3: stadhuis, 3e verdieping, naast de ICT-balie.
- WH-0: welzijnshuis, gelijkvloers, achter het onthaal.
- WH-1: welzijnshuis, 1e verdieping, gang aan de trap.
- WH-2: welzijnshuis, 2e verdieping, gang aan de trap.
- BIB: bibliotheek, personeelsruimte achter de uitleenbalie.
- MAG: stadsmagazijn, bureel werkplanning.
Alle toestellen printen in kleur en zwart-wit, maar alleen SH-1 heeft A3 en afwerking.

## Papier bijvullen
Reservepapier ligt in de kast naast elk toestel. Is de kast leeg, vraag dan papier aan het onthaal van het stadhuis of het welzijnshuis. Gebruik alleen het gewone papier van 80 gram; dik of glanzend papier veroorzaakt papierstoringen.

## Papierstoring
Het aanraakscherm toont met een animatie welke klep je moet openen. Trek het papier er voorzichtig en recht uit, zonder te scheuren. Raak binnenin geen onderdelen aan met een waarschuwingssticker: die kunnen heet zijn.

## Toner
De toestellen bestellen zelf nieuwe toner als die bijna op is. Je moet dat niet melden. Een reservetoner staat in de kast naast het toestel; vervang hem alleen als het scherm daarom vraagt.

## Mijn afdruk komt niet
1. Heb je naar FollowMe-Waregem geprint en niet naar een andere printer?
2. Is het meer dan 24 uur geleden? Dan is hij gewist.
3. Vroeg je om A3 of nieten? Haal hem op aan SH-1.
4. Thuis geprint? Dan moest je VPN aan staan.
Lukt het nog altijd niet, maak dan een ICT-melding met het nummer van het toestel. Dringend, bijvoorbeeld vlak voor een gemeenteraad? Bel de ICT-helpdesk op 056 00 00 50.
""",
        ),
    ),
)

MFA = Manual(
    stem="handleiding-mfa-authenticator",
    title="Veilig aanmelden met de Authenticator-app",
    app="MFA",
    owner="Wouter Goethals",
    version="1.2",
    updated="maart 2026",
    pages=(
        Page(
            "1. Wat is tweestapsverificatie (MFA) en waarom?",
            """
Met alleen een wachtwoord is je account kwetsbaar. Wachtwoorden worden geraden, gelekt bij een webwinkel waar je hetzelfde wachtwoord gebruikte, of afgetroggeld met een phishingmail. Daarom vragen we bij het aanmelden een tweede bewijs dat jij het echt bent: iets dat je hebt, namelijk je gsm met de Authenticator-app of een beveiligingssleutel. Dat heet tweestapsverificatie, of MFA (multifactorauthenticatie).

## Wat is er veranderd op 1 maart 2026?
Vanaf 1 maart 2026 kan je alleen nog aanmelden met:
- de Microsoft Authenticator-app op je gsm, of
- een beveiligingssleutel (een kleine USB-sleutel) voor collega's zonder geschikte smartphone.
Sms-codes en telefoonoproepen werken niet meer. Ze zijn te makkelijk te onderscheppen, bijvoorbeeld door iemand die je gsm-nummer laat overzetten naar een andere simkaart.

## Wanneer vraagt het systeem om de tweede stap?
Niet bij elke klik. Je krijgt de vraag:
- als je je aanmeldt op een nieuw toestel of in een nieuwe browser;
- als je de VPN opent en dat al 14 dagen niet meer bevestigd hebt;
- na een wachtwoordwijziging;
- als je aanmeldt vanuit een ongewone plaats, bijvoorbeeld in het buitenland;
- als je bepaalde gevoelige instellingen wijzigt, zoals je beveiligingsgegevens.
Op je eigen werklaptop op kantoor zie je het dus zelden.

## Je privé-gsm gebruiken?
De Authenticator-app neemt weinig plaats in, kost niets en kan niets zien van je persoonlijke gegevens, foto's of berichten. De stad kan je gsm niet op afstand beheren via deze app. Wil je toch je privé-gsm niet gebruiken, dan krijg je een beveiligingssleutel (zie pagina 4).
""",
        ),
        Page(
            "2. De Authenticator-app installeren en koppelen",
            """
Nieuwe collega's stellen de app in op hun eerste werkdag aan de ICT-balie. Wil je hem zelf instellen, bijvoorbeeld omdat je nog met sms werkte, volg dan deze stappen. Je hebt je gsm en je laptop nodig.

## Stap 1: de app installeren
Installeer Microsoft Authenticator uit de App Store (iPhone) of de Play Store (Android). Het icoontje is blauw met een slotje en een persoon. Let op voor namaakapps met een gelijkaardige naam: de uitgever moet Microsoft Corporation zijn.

## Stap 2: je account toevoegen
1. Ga op je laptop naar mysignins.microsoft.com en meld je aan met je werkaccount.
2. Klik links op Beveiligingsgegevens.
3. Klik op Aanmeldingsmethode toevoegen en kies Microsoft Authenticator.
4. Klik op Volgende tot je een QR-code ziet.
5. Open de app op je gsm. Tik op het plusje (+), kies Werk- of schoolaccount en dan QR-code scannen. Geef de app toestemming om je camera te gebruiken.
6. Scan de QR-code op je laptopscherm.
7. Klik op je laptop op Volgende. Je krijgt een testmelding: typ het getal over dat op je laptop staat.
8. Zet bovenaan bij Standaardaanmeldingsmethode de melding van de Authenticator-app als standaard.

## Stap 3: meldingen en vergrendeling
- Sta meldingen toe voor de app in de instellingen van je gsm. Zonder meldingen moet je de app telkens zelf openen.
- Zet in de app bij Instellingen de app-vergrendeling aan. Dan moet je met je vingerafdruk, gezicht of code bevestigen, zodat niemand met je ontgrendelde gsm een aanmelding kan goedkeuren.

## Ook voor Outlook en Teams op je gsm
Wil je Outlook of Teams op je gsm gebruiken, dan moet de Authenticator-app op dezelfde gsm staan. Die app zorgt ervoor dat de werkapps op je gsm veilig aangemeld blijven. Verwijder de Authenticator dus niet als je hem een tijd niet gebruikt hebt.
""",
        ),
        Page(
            "3. Aanmelden in de praktijk: getal, code en verdachte meldingen",
            """
## Het getal intypen
Bij het aanmelden toont je laptop een getal van twee cijfers. Op je gsm krijg je een melding van de Authenticator. Tik erop, ontgrendel je gsm, typ het getal in en tik op Ja. Je ziet in de melding ook welke app probeert aan te melden en vanop welke plaats bij benadering.

## Geen internet op je gsm?
Dan komt de melding niet aan, bijvoorbeeld in een kelder of in het buitenland zonder mobiele data. Gebruik dan de code van 6 cijfers:
1. Klik op je laptop op Ik kan mijn Microsoft Authenticator-app op dit moment niet gebruiken.
2. Kies Een verificatiecode gebruiken.
3. Open de app op je gsm en tik op je werkaccount (Stad Waregem).
4. Typ de code van 6 cijfers die onder Eenmalige wachtwoordcode staat. De code verandert elke 30 seconden.
Dat werkt ook zonder netwerk op je gsm, zolang de klok van je gsm juist staat.

## Niet meer vragen op deze pc
Meld je je aan op je eigen werklaptop, dan vraagt Windows soms of je aangemeld wil blijven. Kies Ja op je eigen laptop, maar nooit op een gedeelde pc zoals de computer aan het onthaal of in een vergaderzaal.

## Een melding die je niet verwacht
Krijg je een melding terwijl je zelf niet aan het aanmelden bent, dan kent iemand anders je wachtwoord.
1. Tik op Nee, ik ben het niet en daarna op Rapporteren.
2. Wijzig meteen je wachtwoord met Ctrl+Alt+Del > Wachtwoord wijzigen.
3. Bel de ICT-helpdesk op 056 00 00 50.
Krijg je veel meldingen na elkaar, keur er dan geen enkele goed. Geef het getal of de code nooit door aan iemand die je belt of mailt, ook niet als die zegt van ICT te zijn.

## Op reis
Aanmelden vanuit landen buiten Europa wordt standaard geblokkeerd. Moet je daar werken, vraag dit dan minstens een week vooraf aan via een ICT-melding.
""",
        ),
        Page(
            "4. Nieuwe gsm, gsm kwijt of geen smartphone",
            """
## Je krijgt een nieuwe gsm
Zet de Authenticator over terwijl je je oude gsm nog hebt. Installeer de app op je nieuwe gsm, ga naar mysignins.microsoft.com > Beveiligingsgegevens, voeg een nieuwe Microsoft Authenticator toe en scan de QR-code met je nieuwe gsm (zoals op pagina 2). Zet daarna de nieuwe gsm als standaard en verwijder de oude uit de lijst. Een back-up van je gsm via iCloud of Google zet je werkaccount niet mee over.

## Je gsm is kwijt, gestolen of gereset
1. Bel de ICT-helpdesk op 056 00 00 50. Bij diefstal of verlies verwijdert ICT de oude gsm uit je account en meldt alle sessies op die gsm af.
2. Na een controle van je identiteit krijg je een tijdelijke toegangscode (Temporary Access Pass). Die is 8 uur geldig en werkt maar voor een persoon.
3. Meld je met die code aan op mysignins.microsoft.com en koppel de app op je nieuwe of herstelde gsm.
Buiten de kantooruren kan ICT geen tijdelijke toegangscode geven. Op je werklaptop werk je wel verder met je pincode.

## Geen smartphone of je wil je privé-gsm niet gebruiken
Dan krijg je een beveiligingssleutel: een kleine USB-sleutel (FIDO2) die je aan je sleutelbos hangt.
1. Je diensthoofd vraagt de sleutel aan via een ICT-melding > Hardware > Beveiligingssleutel.
2. Je haalt hem zelf af aan de ICT-balie op de 3e verdieping van het stadhuis, lokaal 3.01, met je identiteitskaart. Sleutels worden niet via de interne post verstuurd.
3. Samen met ICT stel je een pincode van minstens 6 cijfers in.
Aanmelden doe je daarna door bij het aanmelden Beveiligingssleutel te kiezen, de sleutel in de USB-poort te steken, je pincode te typen en het gouden rondje op de sleutel aan te raken. Na drie foute pincodes blokkeert de sleutel.

## Sleutel verloren
Meld het dezelfde dag aan de ICT-helpdesk. De sleutel wordt uitgeschakeld en je krijgt een nieuwe.
""",
        ),
    ),
)

MANUALS: tuple[Manual, ...] = (TEAMS, VPN, PRINT, MFA)


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


class ManualPDF(FPDF):
    def __init__(self, manual: Manual) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.manual = manual
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(auto=True, margin=20)

    def header(self) -> None:
        self.set_font("Helvetica", "", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, f"Stad en OCMW Waregem - digicoaches - {self.manual.title}", align="L")
        self.ln(9)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(110, 110, 110)
        self.cell(
            0,
            5,
            f"Handleiding {self.manual.title} - versie {self.manual.version} - pagina {self.page_no()} van {{nb}}",
            align="C",
        )
        self.set_text_color(0, 0, 0)


def _check_latin1(text: str, where: str) -> None:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError as exc:  # pragma: no cover - guards the content above
        bad = text[exc.start : exc.end]
        raise SystemExit(f"Not latin-1 encodable in {where}: {bad!r}") from exc


def _render_body(pdf: ManualPDF, body: str) -> None:
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for raw in body.strip().splitlines():
        line = raw.rstrip()
        if not line:
            pdf.ln(2.5)
            continue
        if line.startswith("## "):
            pdf.ln(1.5)
            pdf.set_font("Helvetica", "B", 11.5)
            pdf.multi_cell(width, 6, line[3:], new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 10.5)
            continue
        marker = ""
        text = line
        if line.startswith("- "):
            marker, text = "-", line[2:]
        elif len(line) > 2 and line[0].isdigit() and line[1:3] == ". ":
            marker, text = line[:2], line[3:]
        if marker:
            pdf.set_x(pdf.l_margin + 3)
            pdf.cell(6, 5.2, marker)
            pdf.multi_cell(width - 9, 5.2, text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.multi_cell(width, 5.2, text, new_x="LMARGIN", new_y="NEXT")


def build_manual(manual: Manual, out_dir: Path) -> Path:
    pdf = ManualPDF(manual)
    pdf.alias_nb_pages()
    pdf.set_title(f"Handleiding {manual.title}")
    pdf.set_author(manual.owner)
    pdf.set_subject(f"Digicoaches Stad en OCMW Waregem - {manual.app}")
    pdf.set_creator("digihulp scripts/build_manuals.py")
    pdf.set_producer("fpdf2")
    pdf.set_lang("nl-BE")
    pdf.set_creation_date(FIXED_DATE)

    for i, page in enumerate(manual.pages):
        _check_latin1(page.heading + page.body, f"{manual.stem} page {i + 1}")
        pdf.add_page()
        if i == 0:
            pdf.set_font("Helvetica", "B", 20)
            pdf.multi_cell(0, 9, f"Handleiding: {manual.title}", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 9)
            pdf.multi_cell(
                0,
                5,
                f"Versie {manual.version} - bijgewerkt {manual.updated} - eigenaar: {manual.owner} (digicoach)",
                new_x="LMARGIN",
                new_y="NEXT",
            )
            pdf.ln(4)
        start_page = pdf.page_no()
        pdf.set_font("Helvetica", "B", 15)
        pdf.multi_cell(0, 8, page.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font("Helvetica", "", 10.5)
        _render_body(pdf, page.body)
        if pdf.page_no() != start_page:
            raise SystemExit(f"{manual.stem}: section {page.heading!r} does not fit on one page")

    out_dir.mkdir(parents=True, exist_ok=True)
    pdf_path = out_dir / f"{manual.stem}.pdf"
    pdf.output(str(pdf_path))

    sidecar = out_dir / f"{manual.stem}.yml"
    sidecar.write_text(
        f'title: "Handleiding {manual.title}"\n'
        f"app: {manual.app}\n"
        f'owner: "{manual.owner}"\n'
        f'version: "{manual.version}"\n',
        encoding="utf-8",
    )
    return pdf_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the sample PDF manuals of the digihulp corpus.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    for manual in MANUALS:
        path = build_manual(manual, args.out)
        print(f"{path} ({len(manual.pages)} pagina's)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
