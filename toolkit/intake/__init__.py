"""Intake: applications from the website widget «Онлайн-консультирование» (cl. 2.1–2.3, 2.8–2.9).

Building blocks for `vks intake`: read a website export or the widget's e-mails into submissions
(`exports`, `widget_mail`), validate them and key them so none is registered twice
(`submission`), decide the competent body (`routing`, `places`), find repeat questions of the same
citizen (`repeats`), and make a demo export with planted cases (`demo_export`).

May import: `toolkit.journal`, `toolkit.sources`, `toolkit.mail`, `toolkit.correspondence`.
"""
