"""Readers' error reports (portal.news.reports), newest first, for the desk."""

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..news.models import ErrorReport
from ..web.ids import id_arg
from ..web.paging import page_of
from .blueprint import bp

PAGE_SIZE = 50


def reports_before(before_id: int | None, limit: int) -> tuple[list[ErrorReport], bool]:
    stmt = select(ErrorReport).options(joinedload(ErrorReport.article)).order_by(ErrorReport.id.desc())
    if before_id is not None:
        stmt = stmt.where(ErrorReport.id < before_id)
    return page_of(stmt, limit)


@bp.get("/reports")
def error_reports():
    reports, has_more = reports_before(id_arg("before", "report"), PAGE_SIZE)
    return render_template("desk/reports.html", reports=reports,
                           older=reports[-1].id if reports and has_more else None)
