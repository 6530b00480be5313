"""The worklist pattern every queue of agents' tasks uses: e-mails, documents, call-backs,
appointments to mark, and later controls, fraud files, recovery and CRA cases.

A worklist is a queryset of tasks, a GET filter form (the domain's filters, "mes tâches" when the
tasks are assigned to agents, the sort order), one page of rows, and the counts an agent needs to
plan the day. The page includes `core/_worklist.html`, which renders the filters, the count, the
sortable table with its caption and the pager; the domain gives one template for a row.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

WORKLIST_PAGE_SIZE = 25


@dataclass(frozen=True)
class Sort:
    label: str  # "Plus ancien d'abord"
    order_by: tuple[str, ...]


@dataclass(frozen=True)
class Column:
    label: str
    sort: str = ""  # key of the worklist's `sorts` this column's header orders by (both ways)


class Assignment:
    """The values of the "Attribution" filter."""

    MINE = "moi"
    FREE = "libres"
    CHOICES = [("", "Toutes"), (MINE, "Mes tâches"), (FREE, "Non attribuées")]


class WorklistForm(forms.Form):
    """The filters of a worklist, read from the query string. A domain subclasses it to add its
    own filters and overrides `narrow`; `sorts` names the orders the list offers."""

    sorts: dict[str, Sort] = {}
    default_sort = ""
    assignable = True  # whether tasks are assigned to agents (`assigned_to`)

    affectation = forms.ChoiceField(label="Attribution", required=False, choices=Assignment.CHOICES)
    tri = forms.ChoiceField(label="Trier par", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.assignable:
            del self.fields["affectation"]
        self.fields["tri"].choices = [
            (key, sort.label)
            for name, sort in self.sorts.items()
            for key, sort in ((name, sort), (f"-{name}", _reversed(sort)))
        ]
        self.fields["tri"].initial = self.default_sort

    def narrow(self, tasks: QuerySet) -> QuerySet:
        """The domain's filters (the form is valid)."""
        return tasks

    def sort_key(self) -> str:
        return (self.cleaned_data.get("tri") if self.is_valid() else "") or self.default_sort


def _reversed(sort: Sort) -> Sort:
    return Sort(
        label=f"{sort.label} (ordre inverse)",
        order_by=tuple(key[1:] if key.startswith("-") else f"-{key}" for key in sort.order_by),
    )


@dataclass
class Worklist:
    slug: str  # the anchor and the ids of the list's elements
    title: str
    caption: str
    columns: list[Column]
    row_template: str
    form: WorklistForm
    page: Page
    total: int  # tasks before the filters
    mine: int | None  # tasks assigned to the reader (None: tasks are not assigned)
    free: int | None
    sort: str
    query: str  # the filters as a query string, without the page and the sort
    empty: str
    extra: dict = field(default_factory=dict)  # what the row template needs besides the row

    @property
    def sort_param(self) -> str:
        return f"{self.slug}-tri"

    @property
    def page_param(self) -> str:
        return f"{self.slug}-page"

    @property
    def rows(self) -> list:
        return list(self.page.object_list)

    @property
    def count(self) -> int:
        return self.page.paginator.count

    def sort_links(self) -> list[tuple[Column, str, str]]:
        """Each column with the sort key its header link sets and its `aria-sort` value."""
        links = []
        for column in self.columns:
            if not column.sort:
                links.append((column, "", ""))
                continue
            ascending = self.sort == column.sort
            descending = self.sort == f"-{column.sort}"
            state = "ascending" if ascending else "descending" if descending else ""
            links.append((column, f"-{column.sort}" if ascending else column.sort, state))
        return links


def _sent(query, slug: str) -> bool:
    return any(key.startswith(f"{slug}-") for key in query)


def worklist(
    request,
    tasks: QuerySet,
    *,
    form_class: type[WorklistForm],
    slug: str,
    title: str,
    caption: str,
    columns: list[Column],
    row_template: str,
    empty: str,
    page_size: int = WORKLIST_PAGE_SIZE,
    rows: Callable[[list], list] | None = None,
    extra: dict | None = None,
) -> Worklist:
    """One page of the tasks, filtered and sorted as the query string asks. An invalid filter
    (a hostile or stale link) shows the form's French errors and the unfiltered list."""
    # Every parameter carries the list's slug as prefix, so that several lists share a page and
    # each keeps its own filters, sort and page in the query string.
    form = form_class(request.GET if _sent(request.GET, slug) else None, prefix=slug)
    user = request.user
    total = tasks.count()
    mine = free = None
    if form.assignable:
        mine = tasks.filter(assigned_to=user).count()
        free = tasks.filter(assigned_to__isnull=True).count()
    shown = tasks
    if form.is_bound and form.is_valid():
        shown = form.narrow(shown)
        assignment = form.cleaned_data.get("affectation")
        if assignment == Assignment.MINE:
            shown = shown.filter(assigned_to=user)
        elif assignment == Assignment.FREE:
            shown = shown.filter(assigned_to__isnull=True)
    sort = form.sort_key()
    if sort:
        name = sort.removeprefix("-")
        chosen = form.sorts[name] if sort == name else _reversed(form.sorts[name])
        shown = shown.order_by(*chosen.order_by, "pk")
    page = Paginator(shown, page_size).get_page(request.GET.get(f"{slug}-page"))
    if rows is not None:
        page.object_list = rows(list(page.object_list))
    query = request.GET.copy()
    for key in ("page", "tri"):
        query.pop(f"{slug}-{key}", None)
    return Worklist(
        slug=slug,
        title=title,
        caption=caption,
        columns=columns,
        row_template=row_template,
        form=form,
        page=page,
        total=total,
        mine=mine,
        free=free,
        sort=sort,
        query=query.urlencode(),
        empty=empty,
        extra=extra or {},
    )
