"""Every message the server's side shows a person, in Danish and English: the catalogue.

Each table maps a key to (Danish, English) ``str.format`` templates; :func:`say` picks
one. The wire's error texts live in :data:`server.contract.ERRORS` (the clients read
them too). A test checks that every key has both languages and that no Danish text
sits in the server's code outside these tables.
"""

from __future__ import annotations

#: What ``podium serve``, ``podium programme …`` and ``podium questions …`` print.
CLI: dict[str, tuple[str, str]] = {
    # argparse checks these before --lang is read: shown in Danish, as every default
    "bad_clock": (
        "ugyldigt tidspunkt {value!r} (skriv fx 2025-09-25T11:40)",
        "invalid time {value!r} (e.g. 2025-09-25T11:40)",
    ),
    "bad_port": ("ugyldig port {value!r}", "invalid port {value!r}"),
    "running": (
        "Podium kører på {ws}  (sundhed: {health})",
        "Podium is running at {ws}  (health: {health})",
    ),
    "moderator": ("Moderator-kode", "Moderator token"),
    "stage": ("Scene-kode", "Stage token"),
    "new": (" (ny)", " (new)"),
    "replaced": (
        " (ny – den gamle virker ikke længere)",
        " (new – the old one no longer works)",
    ),
    "given": (" (givet)", " (given)"),
    "tokens_hidden": (
        "Adgangskoderne vises kun, når de laves (podium serve --show-tokens laver nye).",
        "The tokens are shown only when made (podium serve --show-tokens makes new ones).",
    ),
    "bad_token_file": (
        "Kan ikke læse adgangskoden i {file}: {error}",
        "Cannot read the token in {file}: {error}",
    ),
    "stop": ("Stop med Ctrl+C.", "Stop with Ctrl+C."),
    "page": (
        "Deltagernes side: {url}  (QR-kode til en plakat: {url}qr.svg)",
        "The attendees' page: {url}  (QR code for a poster: {url}qr.svg)",
    ),
    "page_local": (
        "OBS: serveren lytter kun på denne maskine; brug --host 0.0.0.0 for telefoner på LAN'et.",
        "Note: the server listens on this machine only; use --host 0.0.0.0 for phones on the LAN.",
    ),
    "bad_url": (
        "Ugyldig {option} {value!r}: skriv en http- eller https-adresse, fx http://192.168.1.10:8765/",
        "Invalid {option} {value!r}: give an http or https address, e.g. http://192.168.1.10:8765/",
    ),
    "bad_programme": ("Programmet kan ikke indlæses:", "The programme cannot be loaded:"),
    "cannot_start": ("Serveren kan ikke starte: {error}", "The server cannot start: {error}"),
    "bad_clock_speed": (
        "Ugyldig --clock-speed {value}: skal være over 0 og højst 3600.",
        "Invalid --clock-speed {value}: must be above 0 and at most 3600.",
    ),
    "clock_rewinds": (
        "Advarsel: --clock ({now}) ligger før det, databasen allerede har oplevet ({seen}). "
        "Dagen spoles tilbage under det gemte. Brug en ny --db til en ny prøve, eller et "
        "senere --clock.",
        "Warning: --clock ({now}) is before what the database already lived through "
        "({seen}). The day rewinds under what is stored. Use a new --db for a new rehearsal, "
        "or a later --clock.",
    ),
    "bad_room_token": (
        "Ugyldig --room-token {pair!r}: skriv SAL=KODE (fx bohr=hemmelig eller bohr=@kode.txt).",
        "Invalid --room-token {pair!r}: write ROOM=TOKEN (e.g. bohr=secret or bohr=@token.txt).",
    ),
    "room_token_unknown": (
        "--room-token {room!r}: salen findes ikke i programmet. Salene er: {rooms}.",
        "--room-token {room!r}: the programme has no such room. The rooms are: {rooms}.",
    ),
    "port_in_use": (
        "Port {port} er optaget – kører der allerede en podium serve? Vælg en anden med --port.",
        "Port {port} is in use – is a podium serve already running? Choose another with --port.",
    ),
    "db_in_use": (
        "Databasen {db} bruges allerede af en anden podium serve (proces {pid}). To servere på "
        "samme SQLite-fil ville overskrive hinanden: stop den anden, eller brug en anden --db.",
        "The database {db} is already used by another podium serve (process {pid}). Two servers "
        "on one SQLite file would overwrite each other: stop the other, or use another --db.",
    ),
    "bad_limit": ("Ugyldig --limit: {error}", "Invalid --limit: {error}"),
    "limit_unknown": ("{pair!r} (kendte navne: {names})", "{pair!r} (known names: {names})"),
    "limit_nan": ("{pair!r}: {value!r} er ikke et tal", "{pair!r}: {value!r} is not a number"),
    "limit_positive": ("{pair!r}: skal være større end 0", "{pair!r}: must be greater than 0"),
    "check_problem": ("1 fejl i {file}.", "1 problem in {file}."),
    "check_problems": ("{n} fejl i {file}.", "{n} problems in {file}."),
    "check_ok": (
        "{file}: i orden – {title}, {n} punkter, kl. {start}–{end}.",
        "{file}: OK – {title}, {n} items, {start}–{end}.",
    ),
    "warning": ("advarsel: {text}", "warning: {text}"),
    "import_summary": (
        "{title}: {n} punkter i {rooms} sal(e) over {days} dag(e), {warnings} advarsler.",
        "{title}: {n} items in {rooms} room(s) over {days} day(s), {warnings} warnings.",
    ),
    "dry_run": ("{summary} (intet gemt: --dry-run)", "{summary} (nothing saved: --dry-run)"),
    "imported": (
        "{summary} Gemt; en kørende server skifter til det inden for et par sekunder.",
        "{summary} Saved; a running server switches to it within a few seconds.",
    ),
    "cannot_write": ("Kan ikke skrive {file}: {error}", "Cannot write {file}: {error}"),
}

#: The questions export's Markdown report.
REPORT: dict[str, tuple[str, str]] = {
    "title": ("# Spørgsmål fra salen — {event}", "# Questions from the hall — {event}"),
    "total": ("{date}. {n} spørgsmål i alt.", "{date}. {n} questions in all."),
    "none": ("Der blev ikke stillet spørgsmål.", "No questions were asked."),
    "vote": ("{n} stemme", "{n} vote"),
    "votes": ("{n} stemmer", "{n} votes"),
    "at": ("kl. {time}", "{time}"),
    "pending": ("ikke behandlet", "not handled"),
    "approved": ("godkendt", "approved"),
    "on_screen": ("på skærmen", "on the screen"),
    "answered": ("besvaret", "answered"),
    "rejected": ("ikke udvalgt", "not selected"),
}

#: Details of the wire's error messages (both languages at once: the detail is one text).
PROTOCOL: dict[str, tuple[str, str]] = {
    "at_most_chars": ("højst {n} tegn", "at most {n} characters"),
}

#: Every problem the native (TOML) loader reports.
PROGRAMME: dict[str, tuple[str, str]] = {
    "bad_toml": ("ikke gyldig TOML: {error}", "not valid TOML: {error}"),
    "unknown_section": ("ukendt afsnit", "unknown section"),
    "no_event": ("afsnittet [event] mangler", "the [event] section is missing"),
    "unknown_field": ("ukendt felt", "unknown field"),
    "must_be_text": ("skal være tekst", "must be text"),
    "missing_title": ("titel mangler", "missing title"),
    "bad_event_date": (
        "dato mangler eller er ugyldig (skriv 2025-09-25)",
        "missing or bad date (write 2025-09-25)",
    ),
    "unknown_timezone": ("ukendt tidszone {tz}", "unknown time zone {tz}"),
    "list_of_texts": ("skal være en liste af tekster", "must be a list of texts"),
    "rooms_tables": ("skal være [[rooms]]-tabeller", "must be [[rooms]] tables"),
    "must_be_table": ("skal være en tabel", "must be a table"),
    "must_be_tables": ("skal være tabeller", "must be tables"),
    "missing_name": ("navn mangler", "missing name"),
    "duplicate_room": ("sal-id'et {id} findes to gange", "duplicate room id {id}"),
    "no_items": ("programmet har ingen [[items]]", "the programme has no [[items]]"),
    "unknown_kind": (
        "ukendt slags {kind} (en af: {kinds})",
        "unknown kind {kind} (one of: {kinds})",
    ),
    "missing_time": ("tidspunkt mangler", "missing time"),
    "bad_time": ("ugyldigt tidspunkt {got} (skriv 10:15)", "bad time {got} (write 10:15)"),
    "bad_item_date": ("ugyldig dato (skriv 2025-09-25)", "bad date (write 2025-09-25)"),
    "unknown_room": ("ukendt sal {room}", "unknown room {room}"),
    "duplicate_id": ("id'et {id} findes to gange", "duplicate id {id}"),
    "must_be_bool": ("skal være true eller false", "must be true or false"),
    "ends_before_start": (
        "slutter før det begynder ({end} er ikke efter {start})",
        "ends before it starts ({end} is not after {start})",
    ),
    "speakers_tables": (
        "skal være [[items.speakers]]-tabeller",
        "must be [[items.speakers]] tables",
    ),
    "speaker_name": ("en taler skal have et navn", "a speaker needs a name"),
    "overlaps": (
        "overlapper {other} (kl. {start}–{end}) i salen {room}",
        "overlaps {other} ({start}–{end}) in room {room}",
    ),
    "bad_duration": ("ugyldig varighed {got} (skriv 01:30)", "bad duration {got} (write 01:30)"),
    "end_and_duration": (
        "skriv enten end eller duration, ikke begge",
        "give end or duration, not both",
    ),
    "too_large": ("filen er større end {size} bytes", "the file is larger than {size} bytes"),
    "unreadable": ("filen kan ikke læses: {error}", "cannot read the file: {error}"),
    "not_utf8": ("filen er ikke UTF-8-tekst: {error}", "not UTF-8 text: {error}"),
    "control_characters": (
        "indeholder kontroltegn eller retningstegn",
        "holds control or direction characters",
    ),
    "too_many_items": (
        "{n} punkter er for mange (højst {max}: skærmene skal kunne bære programmet)",
        "{n} items are too many (at most {max}: the screens must be able to carry it)",
    ),
    "too_much_text": (
        "programmet fylder {kib} KiB (højst {max} KiB: skærmene skal kunne bære det)",
        "the programme takes {kib} KiB (at most {max} KiB: the screens must be able to carry it)",
    ),
    "bad_text": (
        "indeholder tegn, der ikke kan gemmes (fx en enlig surrogat)",
        "holds characters that cannot be stored (e.g. a lone surrogate)",
    ),
    "date_range": (
        "{when} ligger uden for årene {first}–{last}",
        "{when} is outside the years {first}–{last}",
    ),
    "room_day_native": (
        "--room, --day og --timezone gælder kun schedule.xml/json og iCalendar",
        "--room, --day and --timezone are for schedule.xml/json and iCalendar",
    ),
}
WORDS: dict[str, tuple[str, str]] = {"item": ("punkt", "item"), "room": ("sal", "room")}

#: What a schedule.xml/json import guesses, skips or refuses.
IMPORT: dict[str, tuple[str, str]] = {
    "event": ("punkt", "event"),
    "persons_split": (
        "navnene {name!r} er delt i {n} navne",
        "persons {name!r} split into {n} names",
    ),
    "bad_date": ("ugyldig dato {date!r} ignoreret", "bad date {date!r} ignored"),
    "start_kept": (
        "dato {date} er kl. {local} lokal tid, start siger kl. {start}: start bevaret",
        "date {date} is {local} local, start says {start}: start kept",
    ),
    "after_midnight": (
        "begynder kl. {start}, efter midnat: lagt på {day}",
        "starts at {start}, after midnight: put on {day}",
    ),
    "timezone_assumed": (
        "tidszone {tz!r} ukendt eller mangler: Europe/Copenhagen antaget",
        "time zone {tz!r} unknown or missing: Europe/Copenhagen assumed",
    ),
    "no_title": ("ingen titel: sprunget over", "no title: skipped"),
    "no_start": (
        "ingen brugbar dato eller start: sprunget over",
        "no usable date or start: skipped",
    ),
    "duration_assumed": (
        "varighed {got!r} tom eller ugyldig: {n} min. antaget",
        "duration {got!r} empty or bad: {n} min assumed",
    ),
    "no_guid": (
        "intet guid: et er lavet ud fra titel og id ({n} i alt)",
        "no guid: one was made from title and id ({n} in all)",
    ),
    "no_type": (
        "ingen type: arten gættet ud fra titlen, ellers foredrag (fx {title!r}) ({n} i alt)",
        "no type: the kind guessed from the title, else a talk (e.g. {title!r}) ({n} in all)",
    ),
    "overlaps": ("overlapper {other!r} i {room}", "overlaps {other!r} in {room}"),
    # guesses about the file as a whole: said once, with how many events and an example
    "start_no_colon": (
        "starttider uden kolon (fx {got!r}) læst som timer og minutter ({n} i alt)",
        "start times without a colon (e.g. {got!r}) read as hours and minutes ({n} in all)",
    ),
    "duration_minutes": (
        "varigheder som et tal (fx {got!r}) læst som minutter ({n} i alt)",
        "durations as a bare number (e.g. {got!r}) read as minutes ({n} in all)",
    ),
    "utc_local": (
        "datoer markeret UTC (fx {date}) er de lokale starttider: læst som lokal tid ({n} i alt)",
        "dates marked UTC (e.g. {date}) are the local start times: read as local time ({n} in all)",
    ),
    "type_from": (
        "ingen <type>: arten gættet ud fra <{field}> (fx {got!r}) ({n} i alt)",
        "no <type>: the kind guessed from <{field}> (e.g. {got!r}) ({n} in all)",
    ),
    "person_loose": (
        "talere læst fra <person> direkte under punktet ({n} i alt)",
        "speakers read from <person> straight under the event ({n} in all)",
    ),
    "speakers_from_text": (
        "talere læst fra beskrivelsens første linje (fx {line!r}) ({n} i alt)",
        "speakers read from the description's first line (e.g. {line!r}) ({n} in all)",
    ),
    "speakers_from_attendee": (
        "talere læst fra ATTENDEE;CN= ({n} i alt)",
        "speakers read from ATTENDEE;CN= ({n} in all)",
    ),
    "all_day": (
        "heldagsbegivenheder uden klokkeslæt sprunget over (fx {title!r}) ({n} i alt)",
        "all-day events without a time skipped (e.g. {title!r}) ({n} in all)",
    ),
    "floating": (
        "tider uden tidszone (fx {title!r}) læst som programmets lokale tid ({n} i alt)",
        "times without a zone (e.g. {title!r}) read as the programme's local time ({n} in all)",
    ),
    "broken_event": (
        "punkter med en ulæselig egenskab sprunget over (fx {title!r}: {error}) ({n} i alt)",
        "events with an unreadable property skipped (e.g. {title!r}: {error}) ({n} in all)",
    ),
    # one event in several rooms
    "several_rooms": (
        "i flere sale ({rooms}): et punkt i hver",
        "in several rooms ({rooms}): one item in each",
    ),
    "every_room": (
        "sal {room!r}: lagt i alle {n} sale",
        "room {room!r}: put in all {n} rooms",
    ),
    "no_room_every": (
        "ingen sal: lagt i alle {n} sale",
        "no room: put in all {n} rooms",
    ),
    # refusals: nothing is imported
    "not_a_schedule": (
        "hverken schedule.xml, schedule.json eller iCalendar",
        "neither schedule.xml, schedule.json nor iCalendar",
    ),
    "too_large": ("filen er større end {size} bytes", "the file is larger than {size} bytes"),
    "no_events": ("ingen punkter kunne læses", "no events could be read"),
    "xml_dtd": (
        "afvist: XML'en erklærer en DTD eller entiteter ({kind})",
        "refused: the XML declares a DTD or entities ({kind})",
    ),
    "bad_xml": ("ikke gyldig XML: {error}", "not valid XML: {error}"),
    "not_schedule_xml": (
        "ikke en schedule.xml (rodelementet er <{tag}>)",
        "not a schedule.xml (root element <{tag}>)",
    ),
    "bad_json": ("ikke gyldig JSON: {error}", "not valid JSON: {error}"),
    "bad_ics": ("ikke gyldig iCalendar: {error}", "not valid iCalendar: {error}"),
    "bad_timezone": (
        "ukendt tidszone {tz!r} (fx Europe/Copenhagen)",
        "unknown time zone {tz!r} (e.g. Europe/Copenhagen)",
    ),
    "no_room": ("ingen sal {room!r} (sale: {rooms})", "no room {room!r} (rooms: {rooms})"),
    "no_day": (
        "ingen dag {n} (programmet har {days} dage)",
        "no day {n} (the schedule has {days} days)",
    ),
    "bad_day": (
        "ugyldig --day {day!r} (et tal eller 2025-09-25)",
        "bad --day {day!r} (a number or 2025-09-25)",
    ),
    "no_events_on": ("ingen punkter den {day}", "no events on {day}"),
}


def say(table: dict[str, tuple[str, str]], lang: str, key: str, **kw: object) -> str:
    """A message of ``table`` in ``lang`` (Danish unless "en")."""
    da, en = table[key]
    return (en if lang == "en" else da).format(**kw)


#: argparse's own texts (usage, errors, the -h line): English as argparse writes them ->
#: (Danish, English). ``server.cli.speak`` hands them to argparse.
ARGPARSE: dict[str, tuple[str, str]] = {
    "usage: ": ("brug: ", "usage: "),
    "options": ("tilvalg", "options"),
    "positional arguments": ("argumenter", "positional arguments"),
    "show this help message and exit": (
        "vis denne hjælp og afslut",
        "show this help message and exit",
    ),
    "%(prog)s: error: %(message)s\n": (
        "%(prog)s: fejl: %(message)s\n",
        "%(prog)s: error: %(message)s\n",
    ),
    "argument %(argument_name)s: %(message)s": (
        "argument %(argument_name)s: %(message)s",
        "argument %(argument_name)s: %(message)s",
    ),
    "the following arguments are required: %s": (
        "disse argumenter mangler: %s",
        "the following arguments are required: %s",
    ),
    "unrecognized arguments: %s": ("ukendte argumenter: %s", "unrecognized arguments: %s"),
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "ugyldigt valg: %(value)r (vælg mellem %(choices)s)",
        "invalid choice: %(value)r (choose from %(choices)s)",
    ),
    "invalid %(type)s value: %(value)r": (
        "ugyldig værdi: %(value)r",
        "invalid %(type)s value: %(value)r",
    ),
    "expected one argument": ("skal have én værdi", "expected one argument"),
    "expected at most one argument": ("højst én værdi", "expected at most one argument"),
    "expected at least one argument": ("mindst én værdi", "expected at least one argument"),
    "expected %s argument": ("skal have %s værdi", "expected %s argument"),
    "expected %s arguments": ("skal have %s værdier", "expected %s arguments"),
    "ambiguous option: %(option)s could match %(matches)s": (
        "tvetydigt tilvalg: %(option)s kan være %(matches)s",
        "ambiguous option: %(option)s could match %(matches)s",
    ),
    "not allowed with argument %s": (
        "kan ikke bruges sammen med %s",
        "not allowed with argument %s",
    ),
    "one of the arguments %s is required": (
        "et af disse argumenter skal med: %s",
        "one of the arguments %s is required",
    ),
    "ignored explicit argument %r": ("ignorerede argumentet %r", "ignored explicit argument %r"),
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "ukendt kommando %(parser_name)r (vælg mellem %(choices)s)",
        "unknown parser %(parser_name)r (choices: %(choices)s)",
    ),
    "(default: %(default)s)": ("(standard: %(default)s)", "(default: %(default)s)"),
}
