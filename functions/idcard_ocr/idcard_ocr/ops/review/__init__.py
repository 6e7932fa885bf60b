"""`idcard-ocr review`: a local web console to look at results, correct, approve, reprocess.

Server-rendered pages (Starlette, Jinja2) with htmx for the parts that update in place; the
`review` extra installs them. Nothing here is imported by the deployed function.
"""
