"""'Report an error': a reader's short form under every article; the desk lists the reports."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from wtforms import EmailField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional

from ..extensions import db, limiter
from ..web.forms import Form
from .models import ErrorReport
from .queries import get_published_article

bp = Blueprint("error_reports", __name__, url_prefix="/articles")


class ErrorReportForm(Form):
    text = TextAreaField("What is wrong?", validators=[InputRequired(), Length(max=2000)],
                         description="Quote the words, and say what they should say if you know.")
    email = EmailField("Your email (optional, if you would like a reply)",
                       filters=[lambda value: value.strip() if isinstance(value, str) else value],
                       validators=[Optional(), Length(max=254), Email(check_deliverability=False)])


@bp.route("/<int:article_id>/report", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["ERROR_REPORT_LIMIT_PER_ADDRESS"], methods=["POST"])
def report(article_id):
    article = get_published_article(article_id) or abort(404)
    form = ErrorReportForm()
    if form.validate_on_submit():
        db.session.add(ErrorReport(article_id=article.id, text=form.text.data.strip(), email=form.email.data or None))
        db.session.commit()
        flash("Thank you: the desk will look at it.")
        return redirect(url_for("articles.show", **article.url_values), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("news/report_error.html", article=article, form=form), status
