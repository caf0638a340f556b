"""Writing on the desk: the story form (an ordinary POST form; htmx only for Preview), saving a
draft, publishing and updating through the publishing path (portal.news.operations), with the
Markdown rendered and sanitised once on save (portal.desk.markdown).

A form carries the revision it was opened at; a save over a newer revision is refused with what
changed, and the editor's text stays in the form. The check is also in the UPDATE itself (the
revision is SQLAlchemy's version counter), so two saves racing cannot both land.
"""

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..media.images import MAX_BYTES, ImageRefused, PreparedImage, prepare_lead_image
from ..media.storage import storage
from ..news import operations
from ..news.models import Article, ArticleAuthor, Author, Kind, Section
from ..web.slugs import slugify
from ..web.timestamps import NoSuchLocalTime, from_local_time, to_local_time, utcnow
from . import audit, markdown, revisions
from .blueprint import bp
from .story_form import REPORTER_FIELDS, StoryForm

# What each state of a story allows (a withdrawn story may be published again, at its old place).
ACTIONS_OF_PUBLISHED = {"preview", "update", "unpublish"}
ACTIONS_OF_UNPUBLISHED = {"preview", "draft", "publish", "schedule"}
# How each save is named in the story's revisions and in the message after it.
SAVED_AS = {"publish": ("published", "Published."), "draft": ("draft", "Draft saved."),
            "update": ("update", "Updated."), "unpublish": ("unpublished", "Unpublished: its page now says why."),
            "schedule": ("scheduled", "Scheduled.")}
# A story's form carries a lead image of up to 10 MB and a long body: more than the site's other
# forms may send (MAX_CONTENT_LENGTH). A little over 10 MB, so a file just over the limit gets the
# form's message rather than a bare 413.
STORY_FIELD_CAP = 1024 * 1024  # the body: 200,000 characters of any script
STORY_REQUEST_CAP = MAX_BYTES + STORY_FIELD_CAP + 256 * 1024
STORY_ENDPOINTS = {"desk.create_story", "desk.save_story", "desk.preview"}
# What each field is called in "changed since you opened it".
FIELD_NAMES = {"title": "Headline", "summary": "Summary", "body": "Body", "slug": "Slug"}


@bp.url_value_preprocessor
def _story_request_caps(endpoint, _values):
    # Here, because URL value preprocessors run before every before_request function, and the
    # CSRF check in the app's first one reads the form. Only for editors: anyone else is held to
    # the site's small limit (and then refused by editors_only).
    if endpoint in STORY_ENDPOINTS and current_user.is_authenticated and current_user.is_editor:
        request.max_content_length = STORY_REQUEST_CAP
        request.max_form_memory_size = STORY_FIELD_CAP


def _choices():
    return (list(db.session.scalars(select(Section).order_by(Section.name))),
            list(db.session.scalars(select(Author).order_by(Author.name))))


def _story(article_id: int) -> Article:
    article = db.session.scalar(
        select(Article).where(Article.id == article_id)
        .options(selectinload(Article.bylines).joinedload(ArticleAuthor.author))
    )
    return article or abort(404)


def _form_for(article: Article | None) -> StoryForm:
    form = _filled_form(article).offer(*_choices())
    form.publish_at.description = (f"{current_app.config['TIMEZONE']} time. Only Schedule uses it: the story is "
                                   "published within a minute of it, and dated when that happens.")
    return form


def _filled_form(article: Article | None) -> StoryForm:
    if request.method == "POST" or article is None:
        return StoryForm()
    form = StoryForm(
        title=article.title, slug=article.slug, summary=article.summary,
        body=article.editable_body,
        kind=article.kind.value, source_name=article.source_name, source_url=article.source_url,
        section=str(article.section_id), revision=str(article.revision), top_story=article.top_until is not None,
        lead_image_alt=article.lead_image_alt, lead_image_caption=article.lead_image_caption,
        publish_at=article.publish_at and to_local_time(article.publish_at, current_app.config["TZINFO"]),
    )
    for name, author in zip(REPORTER_FIELDS, article.authors, strict=False):
        form[name].data = str(author.id)
    return form


def _page(form: StoryForm, article: Article | None, preview=None, status=200):
    response = make_response(render_template("desk/story.html", form=form, article=article, preview=preview), status)
    if preview is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


def unique_slug(wanted: str, article_id: int | None) -> str:
    """The slug, or with -2, -3, ... when another story written on the desk has it (demo and
    imported stories may share slugs: the URL carries the id)."""
    base = slugify(wanted)
    taken = set(db.session.scalars(
        select(Article.slug).where(Article.body_source.is_not(None), Article.slug.startswith(base, autoescape=True),
                                   Article.id != (article_id or 0))))
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _changed_fields(article: Article, form: StoryForm) -> list[str]:
    current = {"title": article.title, "summary": article.summary, "slug": article.slug,
               "body": article.editable_body}
    return [FIELD_NAMES[name] for name, value in current.items() if (form[name].data or "") != (value or "")]


def _reads_differently(article: Article, form: StoryForm) -> bool:
    """Whether the save changes what readers read: the headline, the summary or the body."""
    return (form.title.data != article.title or (form.summary.data or "") != (article.summary or "")
            or (form.body.data or "") != article.editable_body)


def _apply(article: Article, form: StoryForm, image: PreparedImage | None) -> None:
    article.title, article.summary = form.title.data, form.summary.data or ""
    article.body_source = form.body.data or ""
    article.body_html, article.body = markdown.render(article.body_source)
    article.kind = Kind(form.kind.data)
    roundup = article.kind is Kind.roundup
    article.source_name = form.source_name.data if roundup else None
    article.source_url = form.source_url.data if roundup else None
    article.section_id = int(form.section.data)
    authors = {a.id: a for a in db.session.scalars(select(Author).where(Author.id.in_(form.reporter_ids())))}
    article.set_authors([authors[i] for i in form.reporter_ids()])
    article.slug = unique_slug(form.slug.data or form.title.data, article.id)
    if image is not None:
        # Stored before the commit; should it fail, the files stay unreferenced under names no
        # one can guess (made from their content).
        for variant in image.variants:
            storage().put(variant.name, variant.data, variant.content_type)
        article.lead_image = image.as_record()
    elif form.remove_lead_image.data:
        article.lead_image = None
    article.lead_image_alt = (form.lead_image_alt.data or None) if article.lead_image else None
    article.lead_image_caption = (form.lead_image_caption.data or None) if article.lead_image else None


def _keeps_an_image(form: StoryForm, article: Article | None) -> bool:
    if form.lead_image.data is not None:
        return True
    return article is not None and article.lead_image is not None and not form.remove_lead_image.data


@bp.get("/stories/new")
def new_story():
    return _page(_form_for(None), None)


@bp.post("/stories/new")
def create_story():
    return _save(None)


@bp.get("/stories/<int:article_id>")
def edit_story(article_id):
    article = _story(article_id)
    return _page(_form_for(article), article)


@bp.post("/stories/<int:article_id>")
def save_story(article_id):
    return _save(_story(article_id))


@bp.post("/preview")
def preview():
    """The story as readers would see it, for the htmx Preview button: nothing is saved."""
    form = StoryForm()
    html, _text = markdown.render(form.body.data or "")
    response = make_response(render_template("desk/_preview.html", title=form.title.data or "",
                                             summary=form.summary.data or "", body_html=html))
    response.headers["Cache-Control"] = "no-store"
    return response


def _save(article: Article | None):
    form = _form_for(article)
    action = request.form.get("action", "")
    allowed = ACTIONS_OF_PUBLISHED if article is not None and article.is_published else ACTIONS_OF_UNPUBLISHED
    if action not in allowed:
        abort(400, description="Say what to do with the story: " + ", ".join(sorted(allowed)) + ".")
    if action == "unpublish" and not form.unpublish_reason.data:
        form.validate_on_submit()
        form.unpublish_reason.errors = ["Say why it is unpublished: readers who open it will read this."]
        return _page(form, article, status=400)
    if not form.validate_on_submit():
        return _page(form, article, status=400)
    correcting = action in ("update", "unpublish") and _reads_differently(article, form)
    if correcting and not form.minor_edit.data and not form.correction_note.data:
        form.correction_note.errors = ["Say what was corrected (readers see it), or tick Minor edit for a typo."]
        return _page(form, article, status=400)
    if action == "preview":
        html, _text = markdown.render(form.body.data or "")
        return _page(form, article, preview={"title": form.title.data, "summary": form.summary.data, "body_html": html})
    if form.top_story.data and action in ("draft", "schedule"):
        form.top_story.errors = ["A story becomes the top story when it is published: tick this with Publish or Update."]
        return _page(form, article, status=400)
    publish_at = None
    if action == "schedule":
        publish_at = _publish_at(form)
        if publish_at is None:
            return _page(form, article, status=400)
    if _keeps_an_image(form, article) and not form.lead_image_alt.data:
        form.lead_image_alt.errors = ["Describe the image for readers who can’t see it."]
        return _page(form, article, status=400)
    if article is not None and form.revision.data != str(article.revision):
        return _stale(form, article)
    image = None
    if form.lead_image.data is not None:
        try:
            image = prepare_lead_image(form.lead_image.data.stream)
        except ImageRefused as refused:
            form.lead_image.errors = [refused.message]
            return _page(form, article, status=400)
    article = article or Article()
    _apply(article, form, image)
    try:
        if action == "publish":
            operations.publish(article)
            audit.record(current_user, "published", f"story {article.id} {article.title}")
        elif action == "schedule":
            operations.schedule(article, publish_at)
            audit.record(current_user, "scheduled", f"story {article.id} {article.title}", f"for {publish_at:%Y-%m-%d %H:%M} UTC")
        elif action == "draft":
            operations.save_draft(article)
        elif action == "unpublish":
            operations.unpublish(article, form.unpublish_reason.data)
            audit.record(current_user, "unpublished", f"story {article.id} {article.title}", form.unpublish_reason.data)
        elif form.correction_note.data and not form.minor_edit.data:
            operations.correct(article, form.correction_note.data)
            audit.record(current_user, "corrected", f"story {article.id} {article.title}", form.correction_note.data)
        else:
            operations.update(article)
        if action in ("publish", "update"):
            _set_top_story(article, form.top_story.data)
        saved_as, message = SAVED_AS[action]
        revisions.keep(article, current_user, saved_as)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return _stale(form, _story(article.id))
    flash(message)
    return redirect(url_for("desk.edit_story", article_id=article.id), code=303)


def _publish_at(form: StoryForm):
    """The moment Publish at names, for Schedule; None with the field's error set."""
    zone = current_app.config["TZINFO"]
    if form.publish_at.data is None:
        form.publish_at.errors = [f"Give the date and time to publish it ({zone} time)."]
        return None
    try:
        moment = from_local_time(form.publish_at.data, zone)
    except OverflowError:  # year 1 or 9999, say: beyond what a moment can be
        form.publish_at.errors = ["Give a date in the coming months or years."]
        return None
    except NoSuchLocalTime:
        form.publish_at.errors = [(f"{form.publish_at.data:%Y-%m-%d %H:%M} does not exist in {zone} "
                                   "(the clocks skip it): choose another time.")]
        return None
    if moment <= utcnow():
        form.publish_at.errors = ["That time has passed: choose a later one, or Publish now."]
        return None
    return moment


def _set_top_story(article: Article, wanted: bool) -> None:
    if wanted and article.top_until is None:
        operations.make_top_story(article)
        audit.record(current_user, "made top story", f"story {article.id} {article.title}")
    elif not wanted and article.top_until is not None:
        operations.end_top_story(article)


def _stale(form: StoryForm, article: Article):
    """Refused: someone saved the story since this form was opened. The editor's text stays."""
    changed = ", ".join(_changed_fields(article, form)) or "its other fields"
    form.form_errors.append(f"This story was changed since you opened it ({changed} differ from what you have here). "
                            "Nothing of yours was saved: copy what you need, then reload the story.")
    return _page(form, article, status=409)
