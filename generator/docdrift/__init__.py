"""The doc-drift checker: tells a maintainer exactly how a vendor documentation page and our spec differ.

A page goes through small steps, one module each::

    readers/   page text  -> Page          (one reader per page format)
    matcher    Page        -> SpecOperation (method + path, x-doc-page, closest path)
    compare    Page, op    -> [Difference]  (typed: code added, message changed, parameter removed, ...)
    report     [Difference]-> text
    writer     [Difference]-> spec YAML edited in place (added and changed codes only)

``cli`` holds the two entry points ``python -m generator`` dispatches to: ``check-docs`` and ``docs``
(the Markdown reference under ``docs/``, rendered by ``render_docs``).
"""
