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


class PromptScreen(ModalScreen["tuple[str, object] | None"]):
    """Text (one line, or several with ``multiline``) with a live counter, and an optional
    choice (how long a message is shown); (text, chosen value) or None when cancelled.

    Text over ``max_length`` is refused with a message, never cut: a paste of 300
    characters stays whole for the moderator to shorten."""

    BINDINGS = [
        Binding("escape", "cancel", "Annullér", show=False),
        Binding("ctrl+s", "save", "Gem", show=False),
    ]

    def __init__(
        self,
        text: Strings,
        title: str,
        value: str = "",
        max_length: int = 280,
        choices: list[tuple[str, object]] | None = None,
        *,
        multiline: bool = False,
        choice_title: str = "",
    ) -> None:
        super().__init__()
        self.t = text
        self.title_text = title
        self.value = value
        self.max_length = max_length
        self.choices = choices
        self.multiline = multiline
        self.choice_title = choice_title or text("duration")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide" if self.multiline else "dialog"):
            yield Plain(self.title_text, classes="dialog-question")
            if self.multiline:
                yield TextArea(self.value, id="prompt-input", soft_wrap=True, classes="prompt-area")
                yield Plain(self.t("prompt_keys"), classes="dialog-note")
            else:
                yield Input(self.value, id="prompt-input")
            yield Plain("", id="prompt-counter", classes="dialog-hint")
            if self.choices:
                yield Plain(self.choice_title, classes="dialog-hint")
                yield Select(
                    [(label, n) for n, (label, _) in enumerate(self.choices)],
                    value=0,
                    allow_blank=False,
                    id="prompt-choice",
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.t("save"), id="save", variant="primary")
                yield Button(self.t("cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#prompt-input").focus()
        self._count()

    def _text(self) -> str:
        box = self.query_one("#prompt-input")
        return box.text if isinstance(box, TextArea) else box.value  # type: ignore[attr-defined]

    def on_input_changed(self) -> None:
        self._count()

    def on_text_area_changed(self) -> None:
        self._count()

    def _count(self) -> bool:
        """Show n/max (in red over it); whether it fits."""
        n = len(self._text().strip())
        counter = self.query_one("#prompt-counter", Plain)
        fits = n <= self.max_length
        counter.set(f"{n}/{self.max_length}" + ("" if fits else f" – {self.t('too_long')}"))
        counter.set_class(not fits, "-over")
        return fits

    def on_input_submitted(self) -> None:
        self._done()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self._done()
        else:
            self.dismiss(None)

    def action_save(self) -> None:
        self._done()

    def _done(self) -> None:
        if not self._count():
            self.notify(self.t("too_long_refused", n=self.max_length), severity="error")
            return
        chosen: object = None
        if self.choices:
            index = self.query_one("#prompt-choice", Select).value
            chosen = self.choices[index][1] if isinstance(index, int) else None
        self.dismiss((self._text().strip(), chosen))

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
