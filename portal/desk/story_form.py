"""The story form's fields, with the labels editors see."""

from urllib.parse import urlsplit

from flask_wtf.file import FileField
from wtforms import BooleanField, DateTimeLocalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..accounts.forms import stripped
from ..news.models import Author, Kind, Section
from ..web.forms import Form

REPORTER_FIELDS = ("reporter_1", "reporter_2", "reporter_3")
KIND_CHOICES = [SelectChoice(Kind.news.value, "News"), SelectChoice(Kind.analysis.value, "Analysis"),
                SelectChoice(Kind.roundup.value, "Roundup")]


def web_address(form, field):
    if field.data and (urlsplit(field.data).scheme not in ("http", "https") or not urlsplit(field.data).netloc):
        raise ValidationError("Give the source’s address starting with https:// (or http://).")


class StoryForm(Form):
    title = StringField("Headline", filters=[stripped], validators=[InputRequired(), Length(max=300)])
    slug = StringField("Slug", filters=[stripped], validators=[Optional(), Length(max=120)],
                       description="The words in the story’s address. Left empty, it is made from the headline.")
    summary = TextAreaField("Summary", filters=[stripped], validators=[Optional(), Length(max=1000)])
    body = TextAreaField("Body", validators=[Optional(), Length(max=200_000)],
                         description="Markdown: blank lines between paragraphs, ## for a subheading, "
                                     "**bold**, *italic*, [link text](https://…).")
    kind = SelectField("Kind", choices=KIND_CHOICES, default=Kind.news.value)
    source_name = StringField("Source name", filters=[stripped], validators=[Optional(), Length(max=200)])
    source_url = StringField("Source URL", filters=[stripped], validators=[Optional(), Length(max=2000), web_address])
    section = SelectField("Section", validators=[InputRequired()])
    reporter_1 = SelectField("First reporter")
    reporter_2 = SelectField("Second reporter")
    reporter_3 = SelectField("Third reporter")
    # Checked, cleaned and resized by portal.media.images when the story is saved.
    lead_image = FileField("Lead image", description="A JPEG, PNG or WebP photo of at most 10 MB and 40 megapixels. "
                                                     "Its location and camera details are removed.")
    lead_image_alt = StringField("Image description (alt text)", filters=[stripped],
                                 validators=[Optional(), Length(max=500)],
                                 description="What the image shows, for readers who can't see it. Needed with an image.")
    lead_image_caption = StringField("Caption / credit", filters=[stripped], validators=[Optional(), Length(max=500)])
    remove_lead_image = BooleanField("Remove the lead image")
    # In the newsroom's time zone (PORTAL_TIMEZONE), as the form says beside it; portal.desk.writing
    # turns it into a moment. Only Schedule uses it.
    publish_at = DateTimeLocalField("Publish at", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                    validators=[Optional()])
    # Above the front page's list for 24 hours, from Publish or Update.
    top_story = BooleanField("Top story on the front page (for 24 hours)",
                             description="From Publish or Update, in place of the top story shown now.")
    # A published story's form always has these: a change to what readers read is corrected in public.
    correction_note = TextAreaField("Correction note", filters=[stripped], validators=[Optional(), Length(max=1000)],
                                    description="What was wrong and what it says now. Readers see it under the story.")
    minor_edit = BooleanField("Minor edit (typo, no public note)")
    # Shown on a published story's form; Unpublish needs it (readers see it on the story's page).
    unpublish_reason = TextAreaField("Reason for unpublishing (shown to readers)", filters=[stripped],
                                     validators=[Optional(), Length(max=1000)])
    # The revision the editor opened: a save over a newer one is refused (portal.desk.writing).
    revision = HiddenField()

    def offer(self, sections: list[Section], authors: list[Author]) -> "StoryForm":
        self.section.choices = [SelectChoice(str(s.id), s.name) for s in sections]
        reporters = [SelectChoice("", "None")] + [SelectChoice(str(a.id), a.name) for a in authors]
        for name in REPORTER_FIELDS:
            self[name].choices = reporters
        return self

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # Here rather than as field validators: Optional() ends an empty field's checks.
        if self.kind.data == Kind.roundup.value:
            for field, message in ((self.source_name, "A roundup names the outlet it draws on."),
                                   (self.source_url, "A roundup links to the reporting it draws on.")):
                if not field.data:
                    field.errors = [*field.errors, message]
                    valid = False
        return valid

    def reporter_ids(self) -> list[int]:
        """The byline, in order, each reporter once."""
        ids = []
        for name in REPORTER_FIELDS:
            value = self[name].data
            if value and int(value) not in ids:
                ids.append(int(value))
        return ids
