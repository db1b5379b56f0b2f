"""Watching sites: alert rules evaluated by the workers, notifications by webhook and e-mail,
and e-mail reports. An adapter package: it reads the read models and the Stats API's engine,
and sends through SMTP and HTTP."""
