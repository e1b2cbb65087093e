"""Small dialogs: confirm, a line of text (with an optional duration), a note, the key help."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, RadioButton, RadioSet, Select, TextArea

from kiosk.text import Strings
from kiosk.widgets.common import Plain


class ConfirmScreen(ModalScreen[bool]):
    """Yes or no, with No as the default (a wrong key press does nothing public)."""

    BINDINGS = [
        Binding("y,j", "answer(True)", "Ja", show=False),
        Binding("n,escape", "answer(False)", "Nej", show=False),
    ]

    def __init__(self, text: Strings, question: str) -> None:
        super().__init__()
        self.t = text
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Plain(self.question, classes="dialog-question")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.t('yes')} (j)", id="yes", variant="warning")
                yield Button(f"{self.t('no')} (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ChoiceScreen(ModalScreen["str | None"]):
    """One of a few choices (buttons, in order), or None (Escape, Cancel)."""

    BINDINGS = [
        Binding("escape", "dismiss_none", show=False),
        *(Binding(str(n), f"choose({n - 1})", show=False) for n in range(1, 10)),
    ]

    def __init__(
        self, text: Strings, question: str, choices: list[tuple[str, str]], hint: str = ""
    ) -> None:
        super().__init__()
        self.t = text
        self.question = question
        self.choices = choices  # (value, label)
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide"):
            yield Plain(self.question, classes="dialog-question")
            for n, (_, label) in enumerate(self.choices):
                yield Button(f"{n + 1}  {label}", id=f"choice-{n}", classes="dialog-choice")
            if self.hint:
                yield Plain(self.hint, classes="dialog-note")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.t("cancel"), id="cancel", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        bid = event.button.id or ""
        if bid.startswith("choice-"):
            self.dismiss(self.choices[int(bid.removeprefix("choice-"))][0])
        else:
            self.dismiss(None)

    def action_choose(self, n: int) -> None:
        if 0 <= n < len(self.choices):
            self.dismiss(self.choices[n][0])

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class PromptScreen(ModalScreen["tuple[str, int | None] | None"]):
    """A line of text, with a counter and an optional duration; None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Annullér", show=False)]

    def __init__(
        self,
        text: Strings,
        title: str,
        value: str = "",
        max_length: int = 280,
        durations: list[int] | None = None,
    ) -> None:
        super().__init__()
        self.t = text
        self.title_text = title
        self.value = value
        self.max_length = max_length
        self.durations = durations

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Plain(self.title_text, classes="dialog-question")
            yield Input(self.value, max_length=self.max_length, id="prompt-input")
            yield Plain("", id="prompt-counter", classes="dialog-hint")
            if self.durations is not None:
                options = [(self.t("until_removed"), 0)] + [
                    (self.t("n_minutes", n=m), m) for m in self.durations
                ]
                yield Plain(self.t("duration"), classes="dialog-hint")
                yield Select(options, value=0, allow_blank=False, id="prompt-duration")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.t("save"), id="save", variant="primary")
                yield Button(self.t("cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._count()

    def on_input_changed(self) -> None:
        self._count()

    def _count(self) -> None:
        n = len(self.query_one(Input).value)
        self.query_one("#prompt-counter", Plain).set(f"{n}/{self.max_length}")

    def on_input_submitted(self) -> None:
        self._done()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self._done()
        else:
            self.dismiss(None)

    def _done(self) -> None:
        minutes: int | None = None
        if self.durations is not None:
            value = self.query_one("#prompt-duration", Select).value
            minutes = value if isinstance(value, int) and value > 0 else None
        self.dismiss((self.query_one(Input).value, minutes))

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteScreen(ModalScreen["tuple[str, str] | None"]):
    """Edit an item's note and choose who sees it; (text, audience) or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Annullér", show=False),
        Binding("ctrl+s", "save", "Gem"),
    ]

    def __init__(self, text: Strings, title: str, note: str, audience: str) -> None:
        super().__init__()
        self.t = text
        self.title_text = title
        self.note = note
        self.audience = audience

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide"):
            yield Plain(self.t("note_title", title=self.title_text), classes="dialog-question")
            yield TextArea(self.note, id="note-text", soft_wrap=True, tab_behavior="focus")
            with RadioSet(id="note-audience"):
                yield RadioButton(
                    self.t("audience_moderator"), value=self.audience != "stage", id="aud-moderator"
                )
                yield RadioButton(
                    self.t("audience_stage"), value=self.audience == "stage", id="aud-stage"
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.t('save')} (ctrl+s)", id="save", variant="primary")
                yield Button(self.t("cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)

    def action_save(self) -> None:
        stage = self.query_one("#aud-stage", RadioButton).value
        self.dismiss((self.query_one(TextArea).text, "stage" if stage else "moderator"))

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """Every key of the console, in words."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss_help", "Luk", show=False)]

    def __init__(self, text: Strings, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.t = text
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog dialog-wide"):
            yield Plain(self.t("help_title"), classes="dialog-question")
            width = max(len(k) for k, _ in self.rows)
            yield Plain("\n".join(f"{k:>{width}}  {d}" for k, d in self.rows), id="help-keys")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
