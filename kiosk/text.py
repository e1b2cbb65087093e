"""Words and times as the screens write them: Danish by default, English on request.

Times are written the Danish way (``kl. 10.15``) in the event's time zone. Every
string a screen shows comes from :data:`STRINGS`; a missing English text falls back
to the Danish one.
"""

from __future__ import annotations

from datetime import datetime

STRINGS: dict[str, tuple[str, str]] = {
    "now": ("NU", "NOW"),
    "next": ("NÆSTE", "NEXT"),
    "at": ("kl.", "at"),
    "expected": ("forventet kl. {time}", "expected at {time}"),
    "minutes_left": ("{n} min. tilbage", "{n} min left"),
    "minute_left": ("1 min. tilbage", "1 min left"),
    "seconds_left": ("{n} sek. tilbage", "{n} s left"),
    "minutes_short": ("{n} min.", "{n} min"),
    "seconds_short": ("{n} sek.", "{n} s"),
    "over_time": ("{time} over tid", "{time} over time"),
    "pause_back": ("Pause — vi starter igen kl. {time}", "Break — we start again at {time}"),
    "lunch_back": ("Frokost — vi starter igen kl. {time}", "Lunch — we start again at {time}"),
    "then": ("Derefter", "Then"),
    "welcome": ("Velkommen", "Welcome"),
    "starts_at": ("Dagen begynder kl. {time}", "The day begins at {time}"),
    "starts_when": ("Dagen begynder {when}", "The day begins {when}"),
    "between_when": ("Næste punkt begynder {when}", "The next item begins {when}"),
    "tomorrow_at": ("i morgen kl. {time}", "tomorrow at {time}"),
    "weekday_at": ("{day} kl. {time}", "on {day} at {time}"),
    "date_at": ("{date} kl. {time}", "on {date} at {time}"),
    "starts_in": ("om {duration}", "in {duration}"),
    "programme": ("Program", "Programme"),
    "practical": ("Praktisk", "Practical"),
    "closing": ("Tak for i dag", "Thank you for today"),
    "closing_sub": ("Dagens program er slut. På gensyn!", "Today's programme has ended. See you!"),
    "between": ("Næste punkt begynder kl. {time}", "The next item begins at {time}"),
    "question": ("SPØRGSMÅL TIL PANELET", "QUESTION TO THE PANEL"),
    "announcement": ("MEDDELELSE", "ANNOUNCEMENT"),
    "online": ("online", "online"),
    "connecting": ("forbinder …", "connecting …"),
    "reconnecting": ("genopretter forbindelse", "reconnecting"),
    "updated_ago": ("afbrudt for {n} s siden", "lost {n} s ago"),
    "connecting_to": ("forbinder til {url} …", "connecting to {url} …"),
    "waiting": ("Forbinder til serveren …", "Connecting to the server …"),
    "auth_failed": ("Forkert adgangskode — tjek --token", "Wrong token — check --token"),
    "running_late": ("Programmet er {n} min. forsinket", "The programme is running {n} min late"),
    "stage_message": ("BESKED FRA MODERATOR", "MESSAGE FROM THE MODERATOR"),
    "stage_notes": ("Noter", "Notes"),
    "kiosk_hall": ("salskærm", "hall screen"),
    "kiosk_stage": ("scenemonitor", "stage monitor"),
    "kiosk_unit_title": (
        "Podium: {what} (sal {room}) på {tty}.",
        "Podium: {what} (room {room}) on {tty}.",
    ),
    "on_hall_screen": ("På salskærmen: {text}", "On the hall screen: {text}"),
    "remaining": ("TILBAGE", "LEFT"),
    "over": ("OVER TID", "OVER TIME"),
    "nothing_live": ("Intet punkt er i gang", "Nothing is live"),
    "insights": ("Du får indblik i:", "You will learn about:"),
    "moderator": ("Moderator: {name}", "Moderator: {name}"),
    "venue": ("Sted", "Venue"),
    # --- moderator console ---
    "mod_title": ("Moderator", "Moderator"),
    "live": ("Live", "Live"),
    "notes_for": ("Noter · {title}", "Notes · {title}"),
    "no_notes": ("Ingen noter. Tryk t for at skrive.", "No notes. Press t to write."),
    "note_stage": ("(vises på scenemonitoren)", "(shown on the stage monitor)"),
    "note_moderator": ("(kun moderator)", "(moderator only)"),
    "preview": ("Salskærmen nu", "The hall screen now"),
    "questions": ("Spørgsmål", "Questions"),
    "programme_tab": ("Program", "Programme"),
    "notes_tab": ("Noter", "Notes"),
    "mode_clock": ("Følger uret", "Following the clock"),
    "mode_manual": ("Manuel styring", "Manual control"),
    "delay": ("Forsinkelse: {n:+d} min.", "Delay: {n:+d} min"),
    "no_delay": ("Ingen forsinkelse", "No delay"),
    "elapsed": ("Forløbet {d}", "Elapsed {d}"),
    "left": ("{d} tilbage", "{d} left"),
    "over_by": ("{d} over tid", "{d} over time"),
    "q_open": ("Spørgsmål: åbne", "Questions: open"),
    "q_closed": ("Spørgsmål: lukkede", "Questions: closed"),
    "q_open_short": ("åben", "open"),
    "connected": (
        "{hall} sal · {stage} scene · {moderator} moderator · {attendee} deltagere",
        "{hall} hall · {stage} stage · {moderator} moderator · {attendee} attendees",
    ),
    "st_pending": ("Venter", "Pending"),
    "st_approved": ("Godkendt", "Approved"),
    "st_on_screen": ("På skærm", "On screen"),
    "st_answered": ("Besvaret", "Answered"),
    "st_rejected": ("Afvist", "Rejected"),
    "st_all": ("Alle", "All"),
    "col_status": ("Status", "Status"),
    "col_votes": ("Stemmer", "Votes"),
    "col_question": ("Spørgsmål", "Question"),
    "col_from": ("Fra", "From"),
    "col_time": ("Tid", "Time"),
    "col_title": ("Titel", "Title"),
    "col_expected": ("Forventet", "Expected"),
    "col_q": ("Spm.", "Q"),
    "queue_empty": ("Ingen spørgsmål under «{tab}».", "No questions under “{tab}”."),
    "new_question": ("Et nyt spørgsmål · {n} venter", "A new question · {n} waiting"),
    "new_questions": ("{k} nye spørgsmål · {n} venter", "{k} new questions · {n} waiting"),
    "confirm_next": ("Gå videre til: {title}?", "Move on to: {title}?"),
    "confirm_end": ("Afslut dagens program?", "End the day's programme?"),
    "confirm_previous": ("Tilbage til: {title}?", "Back to: {title}?"),
    "confirm_go_live": ("Gå live med: {title}?", "Go live with: {title}?"),
    "confirm_clear_hall": (
        "Fjern meddelelsen fra salskærmene?",
        "Remove the announcement from the hall screens?",
    ),
    "confirm_clear_stage": (
        "Fjern beskeden fra scenemonitoren?",
        "Remove the message from the stage monitor?",
    ),
    "confirm_hide": ("Tag spørgsmålet af skærmen?", "Take the question off the screen?"),
    "confirm_reject": ("Afvis spørgsmålet «{text}»?", "Reject the question “{text}”?"),
    "flood_title": (
        "Afvis alle ventende spørgsmål som dette – hvilke?",
        "Reject every pending question like this one – which?",
    ),
    "flood_client": ("Fra samme afsender ({n})", "From the same sender ({n})"),
    "flood_address": (
        "Fra samme adresse, {address} ({n})",
        "From the same address, {address} ({n})",
    ),
    "flood_since": ("Sendt {time} eller senere ({n})", "Sent at {time} or later ({n})"),
    "flood_hint": (
        "Tallene er dem, du kan se; serveren afviser også dem, der ikke er vist. "
        "Det logges, og afviste spørgsmål kan godkendes igen.",
        "The counts are those you can see; the server also rejects those not shown. "
        "It is logged, and rejected questions can be approved again.",
    ),
    "flood_done": ("{n} ventende spørgsmål afvist", "{n} pending questions rejected"),
    "more_points": ("… og {n} punkter mere", "… and {n} more points"),
    "more_point": ("… og 1 punkt mere", "… and 1 more point"),
    "more_items": ("… og {n} punkter mere, til kl. {end}", "… and {n} more items, until {end}"),
    "late_legend": (
        "* forventet starttid: dagen er {n} min. forsinket",
        "* expected start: the day runs {n} min late",
    ),
    "q_other_item": ("[{title}] {text}", "[{title}] {text}"),
    "questions_hidden": ("+{n} ældre ikke vist", "+{n} older not shown"),
    "question_source": ("fra {address} · afsender …{client}", "from {address} · sender …{client}"),
    "question_client": ("afsender …{client}", "sender …{client}"),
    "votes_one_source": (
        "{k} af {n} stemmer fra samme adresse ({address})",
        "{k} of {n} votes from one address ({address})",
    ),
    "yes": ("Ja", "Yes"),
    "no": ("Nej", "No"),
    "save": ("Gem", "Save"),
    "cancel": ("Annullér", "Cancel"),
    "prompt_hall": ("Meddelelse til salskærmene", "Announcement for the hall screens"),
    "prompt_stage": ("Besked til scenemonitoren", "Message for the stage monitor"),
    "prompt_delay": ("Forsinkelse i minutter (fx 10 eller -5)", "Delay in minutes (e.g. 10 or -5)"),
    "prompt_edit": (
        "Redigér spørgsmålet (originalen gemmes)",
        "Edit the question (the original is kept)",
    ),
    "duration": ("Vises i", "Shown for"),
    "until_removed": ("indtil den fjernes", "until removed"),
    "until_item_end": ("til punktet slutter", "until the item ends"),
    "how_to_quit": ("Tryk Ctrl+Q for at afslutte.", "Press Ctrl+Q to quit."),
    "quit_title": ("Vil du afslutte?", "Do you want to quit?"),
    "palette_search": ("Søg efter kommandoer …", "Search for commands …"),
    "cmd_theme": ("Tema", "Theme"),
    "cmd_theme_help": ("Skift farvetema", "Change the colour theme"),
    "cmd_quit": ("Afslut", "Quit"),
    "cmd_quit_help": ("Luk programmet", "Close the program"),
    "cmd_keys": ("Taster", "Keys"),
    "cmd_keys_show": ("Vis tasterne og hjælp til det valgte felt", "Show the keys and help"),
    "cmd_keys_hide": ("Skjul tasterne", "Hide the keys"),
    "cmd_maximize": ("Maksimér", "Maximize"),
    "cmd_maximize_help": (
        "Lad det valgte felt fylde skærmen",
        "Let the focused part fill the screen",
    ),
    "cmd_minimize": ("Normal størrelse", "Minimize"),
    "cmd_minimize_help": ("Tilbage til normal størrelse", "Back to normal size"),
    "cmd_screenshot": ("Skærmbillede", "Screenshot"),
    "cmd_screenshot_help": ("Gem et skærmbillede (SVG)", "Save a screenshot (SVG)"),
    "jump_clock": ("Prøve: spring uret {n} min. frem", "Rehearsal: jump the clock {n} min"),
    "jump_clock_help": (
        "kun når serveren kører med --clock",
        "only when the server runs with --clock",
    ),
    "clock_jumped": ("uret er sprunget {n} min. frem", "the clock jumped {n} min"),
    "msg_hall": ("Salsbesked{until}: {text}", "Hall message{until}: {text}"),
    "msg_hall_all": (
        "Salsbesked til alle sale{until}: {text}",
        "Hall message to all rooms{until}: {text}",
    ),
    "where_question": ("Hvor skal meddelelsen vises?", "Where should the announcement show?"),
    "where_room": ("Kun i {room}", "Only in {room}"),
    "where_all": ("I alle sale", "In every room"),
    "confirm_clear_hall_all": (
        "Fjern meddelelsen fra skærmene i alle sale?",
        "Remove the announcement from the screens of every room?",
    ),
    "other_rooms": ("Andre sale:", "Other rooms:"),
    "room_line_live": ("{room}: {title}", "{room}: {title}"),
    "room_line_next": ("{room}: næste {time} {title}", "{room}: next {time} {title}"),
    "room_line_idle": ("{room}: intet i gang", "{room}: nothing on"),
    "room_delay": ("+{n} min.", "+{n} min"),
    "room_pending": ("{n} venter", "{n} waiting"),
    "room_message": ("meddelelse på", "announcement on"),
    "msg_stage": ("Scenebesked{until}: {text}", "Stage message{until}: {text}"),
    "msg_until": (" til {time}", " until {time}"),
    "msg_until_item": (" til punktet slutter", " until the item ends"),
    "too_long": ("for lang", "too long"),
    "prompt_keys": (
        "Ctrl+S gemmer · Enter giver en ny linje · Esc fortryder",
        "Ctrl+S saves · Enter starts a new line · Esc cancels",
    ),
    "too_long_refused": (
        "Teksten er for lang (højst {n} tegn) – kort den ned; intet er skåret af.",
        "The text is too long (at most {n} characters) – shorten it; nothing was cut.",
    ),
    "n_minutes": ("{n} min.", "{n} min"),
    "note_title": ("Noter til: {title}", "Notes for: {title}"),
    "audience_moderator": ("Kun moderator", "Moderator only"),
    "audience_stage": ("Også på scenemonitoren", "Also on the stage monitor"),
    "offline_not_sent": (
        "Ingen forbindelse – kommandoen er ikke sendt.",
        "Not connected – the command was not sent.",
    ),
    "timeout": (
        "Intet svar fra serveren – tjek om ændringen kom igennem.",
        "No answer from the server – check whether the change went through.",
    ),
    "not_a_number": ("Skriv et helt antal minutter.", "Write a whole number of minutes."),
    "no_question": ("Vælg et spørgsmål først.", "Select a question first."),
    "done": ("Udført: {what}", "Done: {what}"),
    "help_title": ("Tastatur", "Keys"),
    # --- the moderator's keys (footer, help, palette) ---
    "key_next": ("Næste punkt", "Next item"),
    "key_previous": ("Forrige punkt", "Previous item"),
    "key_go_live": ("Gå live med valgt punkt", "Go live with the selected item"),
    "key_follow_clock": ("Følg uret", "Follow the clock"),
    "key_delay_5": ("+5 min. forsinkelse", "+5 min delay"),
    "key_delay_minus_5": ("−5 min. forsinkelse", "−5 min delay"),
    "key_set_delay": ("Sæt forsinkelse", "Set the delay"),
    "key_extend_5": ("Forlæng punktet 5 min.", "Extend the item by 5 min"),
    "key_extend_minus_5": ("Forkort punktet 5 min.", "Shorten the item by 5 min"),
    "key_hall_message": ("Salsbesked", "Hall message"),
    "key_clear_hall_message": ("Fjern salsbesked", "Clear hall message"),
    "key_stage_message": ("Scenebesked", "Stage message"),
    "key_clear_stage_message": ("Fjern scenebesked", "Clear stage message"),
    "key_note": ("Noter til punktet", "Notes for the item"),
    "key_toggle_questions": ("Åbn/luk spørgsmål", "Open/close questions"),
    "key_approve": ("Godkend spørgsmål", "Approve question"),
    "key_reject": ("Afvis spørgsmål", "Reject question"),
    "key_reject_flood": ("Afvis mange ventende (fx en strøm)", "Reject many pending (a flood)"),
    "key_edit": ("Redigér spørgsmål", "Edit question"),
    "key_show_question": ("Vis på skærm", "Put on screen"),
    "key_hide_question": ("Tag af skærm", "Take off screen"),
    "key_answer": ("Besvaret", "Answered"),
    "key_question_tab_pending": ("Spørgsmål: venter", "Questions: pending"),
    "key_question_tab_approved": ("Spørgsmål: godkendt", "Questions: approved"),
    "key_question_tab_on_screen": ("Spørgsmål: på skærm", "Questions: on screen"),
    "key_question_tab_answered": ("Spørgsmål: besvaret", "Questions: answered"),
    "key_question_tab_rejected": ("Spørgsmål: afvist", "Questions: rejected"),
    "key_question_tab_all": ("Spørgsmål: alle", "Questions: all"),
    "key_show_notes": ("Vis noterne (under 120 kolonner)", "Show the notes (below 120 columns)"),
    "key_focus_next": ("Næste felt", "Next field"),
    "key_help": ("Hjælp", "Help"),
    "short_approve": ("Godkend", "Approve"),
    "short_show": ("Vis", "Show"),
    "short_edit": ("Redigér", "Edit"),
    "short_reject": ("Afvis", "Reject"),
    "short_go_live": ("Gå live", "Go live"),
    "short_questions": ("Spørgsmål til/fra", "Questions on/off"),
    "key_quit": ("Afslut", "Quit"),
    "key_switch_room": ("Skift sal", "Switch room"),
    "switch_room_question": ("Hvilken sal vil du styre?", "Which room do you want to drive?"),
    "switch_to_room": ("Skift til salen {room}", "Switch to the room {room}"),
    "room_now": ("{room} (nu)", "{room} (now)"),
    "room_switched": ("Du styrer nu: {room}", "You now drive: {room}"),
    "one_room": ("Programmet har kun én sal.", "The programme has only one room."),
    "follow_room_question": ("Hvilken sal sidder du i?", "Which room are you in?"),
    "room_followed": ("Du følger nu: {room}", "You now follow: {room}"),
    # --- attendee client ---
    "qr_label": ("Scan og spørg panelet", "Scan to ask the panel"),
    "foyer_all_rooms": ("Alle sale", "All rooms"),
    "foyer_nothing": ("Intet i gang", "Nothing on"),
    "foyer_done": ("Dagens program er slut", "The day's programme is over"),
    "foyer_page": ("Side {n} af {of}", "Page {n} of {of}"),
    "tab_now": ("Nu", "Now"),
    "tab_programme": ("Program", "Programme"),
    "tab_ask": ("Spørg panelet", "Ask the panel"),
    "tab_practical": ("Praktisk", "Practical"),
    "ask_to": ("Dit spørgsmål til: {title}", "Your question to: {title}"),
    "ask_closed": (
        "Der er ikke åbnet for spørgsmål lige nu. "
        "Du kan stemme på de godkendte spørgsmål nedenfor.",
        "Questions are not open right now. You can vote on the approved questions below.",
    ),
    "ask_placeholder": ("Skriv dit spørgsmål …", "Write your question …"),
    "name_placeholder": ("Navn (frivilligt)", "Name (optional)"),
    "org_placeholder": ("Organisation (frivilligt)", "Organisation (optional)"),
    "send": ("Send", "Send"),
    "your_questions": ("Dine spørgsmål", "Your questions"),
    "vote_questions": (
        "Stem på spørgsmål (mellemrum: stem / fortryd)",
        "Vote on questions (space: vote / undo)",
    ),
    "no_own": ("Du har ikke stillet spørgsmål endnu.", "You have not asked anything yet."),
    "no_public": ("Ingen godkendte spørgsmål endnu.", "No approved questions yet."),
    "my_sending": ("sender …", "sending …"),
    "my_unsent": ("ikke sendt endnu", "not sent yet"),
    "unsent_note": (
        "Ikke sendt endnu: sendes af sig selv, når forbindelsen er tilbage (w trækker det "
        "valgte tilbage).",
        "Not sent yet: it goes by itself when the connection is back (w withdraws the "
        "selected one).",
    ),
    "my_edited": ("redigeret", "edited"),
    "new_announcement": ("Meddelelse: {text}", "Announcement: {text}"),
    "my_pending": ("modtaget – venter på moderator", "received – waiting for the moderator"),
    "my_approved": ("godkendt – andre kan stemme", "approved – open for votes"),
    "my_on_screen": ("på skærmen nu", "on the screen now"),
    "my_answered": ("besvaret", "answered"),
    "my_rejected": ("ikke udvalgt", "not selected"),
    "sent_ok": ("Tak! Dit spørgsmål er modtaget.", "Thank you! Your question has been received."),
    "voted": ("Du har stemt", "You voted"),
    "withdrawn": ("Spørgsmålet er trukket tilbage.", "The question was withdrawn."),
    "details": ("Detaljer", "Details"),
    "live_marker": ("● NU", "● NOW"),
    "contact": ("Spørgsmål", "Questions"),
    "price": ("Pris", "Price"),
    "registration": ("Tilmelding", "Registration"),
    "accessibility": ("Tilgængelighed", "Accessibility"),
    "entrance": ("Indgang", "Entrance"),
    # --- key bindings of the hall and the attendee client ---
    "bind_quit": ("Afslut", "Quit"),
    "bind_send": ("Send", "Send"),
    "bind_vote": ("Stem / fortryd", "Vote / undo"),
    "bind_withdraw": ("Træk tilbage", "Withdraw"),
    # --- the command line (screens) ---
    "cli_bad_theme": (
        "Ukendt tema {theme!r}. Vælg et af: {themes}",
        "Unknown theme {theme!r}. Choose one of: {themes}",
    ),
    "cli_bad_url": (
        "ugyldig serveradresse {value!r} (skriv fx ws://192.168.1.10:8765)",
        "invalid server address {value!r} (e.g. ws://192.168.1.10:8765)",
    ),
    "cli_stage_token": (
        "Scenemonitoren skal have scene-koden: --token KODE (eller PODIUM_STAGE_TOKEN).",
        "The stage monitor needs the stage token: --token TOKEN (or PODIUM_STAGE_TOKEN).",
    ),
    "cli_moderator_token": (
        "Moderatorkonsollen skal have moderator-koden: --token KODE "
        "(eller PODIUM_MODERATOR_TOKEN).\nKoden står i det, `podium serve` skrev, da den startede.",
        "The moderator console needs the moderator token: --token TOKEN "
        "(or PODIUM_MODERATOR_TOKEN).\nIt is in what `podium serve` printed when it started.",
    ),
    "cli_demo_failed": ("Demoens server kunne ikke starte.", "The demo's server could not start."),
    "cli_demo": (
        "Podium-demo: serveren kører på {url}/ws, uret går fra {clock}.\n"
        "Prøv i et andet vindue:\n"
        "  Moderatorkonsol:  {podium} moderator --server {url} --token demo\n"
        "  Deltager:         {podium} attendee --server {url}\n"
        "  Deltagernes side: {page}  (i en browser; telefoner på LAN'et: se README)\n"
        "  Scenemonitor:     {podium} hall --mode stage --server {url} --token demo\n"
        "  Database:         {db}\n"
        "Salskærmen åbner nu; luk den med Ctrl+Q (serveren kører videre).",
        "Podium demo: the server runs at {url}/ws, the clock starts at {clock}.\n"
        "Try in another window:\n"
        "  Moderator console: {podium} moderator --server {url} --token demo\n"
        "  Attendee:          {podium} attendee --server {url}\n"
        "  Attendees' page:   {page}  (in a browser; phones on the LAN: see README)\n"
        "  Stage monitor:     {podium} hall --mode stage --server {url} --token demo\n"
        "  Database:          {db}\n"
        "The hall screen opens now; close it with Ctrl+Q (the server keeps running).",
    ),
    "cli_demo_running": (
        "Salskærmen er lukket; serveren kører videre på {url}/ws. Stop den med Ctrl+C.",
        "The hall screen is closed; the server keeps running at {url}/ws. Stop it with Ctrl+C.",
    ),
}

WEEKDAYS = (
    ("mandag", "Monday"),
    ("tirsdag", "Tuesday"),
    ("onsdag", "Wednesday"),
    ("torsdag", "Thursday"),
    ("fredag", "Friday"),
    ("lørdag", "Saturday"),
    ("søndag", "Sunday"),
)
MONTHS = (
    ("januar", "January"),
    ("februar", "February"),
    ("marts", "March"),
    ("april", "April"),
    ("maj", "May"),
    ("juni", "June"),
    ("juli", "July"),
    ("august", "August"),
    ("september", "September"),
    ("oktober", "October"),
    ("november", "November"),
    ("december", "December"),
)


class Strings:
    """The strings of one language."""

    def __init__(self, lang: str = "da") -> None:
        self.lang = "en" if lang == "en" else "da"
        self._i = 1 if self.lang == "en" else 0

    def __call__(self, key: str, **kw: object) -> str:
        template = STRINGS[key][self._i] or STRINGS[key][0]
        return template.format(**kw) if kw else template

    def clock(self, t: datetime) -> str:
        """10.15 (Danish) or 10:15 (English)."""
        return f"{t:%H.%M}" if self.lang == "da" else f"{t:%H:%M}"

    def at(self, t: datetime) -> str:
        """kl. 10.15"""
        return f"kl. {t:%H.%M}" if self.lang == "da" else f"{t:%H:%M}"

    def when(self, t: datetime, now: datetime) -> str:
        """When ``t`` is, said from ``now``: "kl. 10.00" today, "i morgen kl. 10.00",
        "fredag kl. 10.00" within a week, else with the date (several days' programmes)."""
        days = (t.date() - now.date()).days
        if days == 0:
            return self.at(t)
        if days == 1:
            return self("tomorrow_at", time=self.clock(t))
        if 1 < days < 7:
            return self("weekday_at", day=WEEKDAYS[t.weekday()][self._i], time=self.clock(t))
        return self("date_at", date=self.date(t), time=self.clock(t))

    def span(self, a: datetime, b: datetime) -> str:
        """kl. 10.15–10.30"""
        return f"kl. {a:%H.%M}–{b:%H.%M}" if self.lang == "da" else f"{a:%H:%M}–{b:%H:%M}"

    def date(self, t: datetime) -> str:
        """torsdag den 25. september 2025"""
        day = WEEKDAYS[t.weekday()][self._i]
        month = MONTHS[t.month - 1][self._i]
        if self.lang == "da":
            return f"{day} den {t.day}. {month} {t.year}"
        return f"{day} {t.day} {month} {t.year}"

    def duration(self, seconds: int, *, round_up: bool = False) -> str:
        """1 t. 5 min. / 12 min. / 45 sek. (``round_up``: a started minute counts)."""
        seconds = max(0, seconds)
        if round_up and seconds >= 60:
            seconds = -(-seconds // 60) * 60
        h, rest = divmod(seconds, 3600)
        m = rest // 60
        if self.lang == "da":
            if h:
                return f"{h} t. {m} min." if m else f"{h} t."
            return f"{m} min." if m else f"{seconds} sek."
        if h:
            return f"{h} h {m} min" if m else f"{h} h"
        return f"{m} min" if m else f"{seconds} s"


def countdown(seconds: int) -> str:
    """12:05 or 1:02:05 — the big countdown, always with a colon (it is a timer)."""
    seconds = abs(int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
