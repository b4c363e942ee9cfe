"""The month calendar's card actions in bokmål, nynorsk and English (merged into ui/texts.py's
tables): write again, move to another day, the link card."""

from __future__ import annotations

NB: dict[str, str] = {
    "regenerate_slot": "Skriv på nytt",
    "regenerate_failed": "Skriv de mislykkede og avviste på nytt",
    "regenerate_none": "Ingen utkast å skrive på nytt: alle er godkjent eller besto kontrollene.",
    "regenerate_approved": (
        "Utkastet er godkjent og skrives ikke over. Avvis det først for å skrive det på nytt."
    ),
    "job_busy": (
        "Måneden skrives fortsatt. Vent til jobben er ferdig (eller avbryt den under Status), "
        "og prøv igjen."
    ),
    "no_month_job": "Skriv utkast for måneden først.",
    "move_day": "Ny dag (ÅÅÅÅ-MM-DD)",
    "move_slot": "Flytt",
    "slot_moved": "{what} er flyttet til {when}.",
    "move_not_a_date": "«{value}» er ikke en dato; skriv ÅÅÅÅ-MM-DD.",
    "move_not_a_time": "«{value}» er ikke et klokkeslett; skriv TT:MM.",
    "move_outside_month": "Dagen må ligge i planens måned ({month}).",
    "move_taken": "Kanalen har allerede et innlegg {when}.",
    "link_title": "Tittelen fra nettsiden vises her",
}

NN: dict[str, str] = {
    "regenerate_slot": "Skriv på nytt",
    "regenerate_failed": "Skriv dei mislukka og avviste på nytt",
    "regenerate_none": "Ingen utkast å skrive på nytt: alle er godkjende eller bestod kontrollane.",
    "regenerate_approved": (
        "Utkastet er godkjent og blir ikkje skrive over. Avvis det først for å skrive det på nytt."
    ),
    "job_busy": (
        "Månaden blir framleis skriven. Vent til jobben er ferdig (eller avbryt han under "
        "Status), og prøv igjen."
    ),
    "no_month_job": "Skriv utkast for månaden først.",
    "move_day": "Ny dag (ÅÅÅÅ-MM-DD)",
    "move_slot": "Flytt",
    "slot_moved": "{what} er flytta til {when}.",
    "move_not_a_date": "«{value}» er ikkje ein dato; skriv ÅÅÅÅ-MM-DD.",
    "move_not_a_time": "«{value}» er ikkje eit klokkeslett; skriv TT:MM.",
    "move_outside_month": "Dagen må liggje i månaden til planen ({month}).",
    "move_taken": "Kanalen har alt eit innlegg {when}.",
    "link_title": "Tittelen frå nettsida blir vist her",
}

EN: dict[str, str] = {
    "regenerate_slot": "Write again",
    "regenerate_failed": "Write the failed and rejected drafts again",
    "regenerate_none": "Nothing to write again: every draft is approved or passed its checks.",
    "regenerate_approved": (
        "The draft is approved and is not written over. Reject it first to write it again."
    ),
    "job_busy": (
        "The month is still being written. Wait for the job to finish (or cancel it under "
        "Status), then try again."
    ),
    "no_month_job": "Write the month's drafts first.",
    "move_day": "New day (YYYY-MM-DD)",
    "move_slot": "Move",
    "slot_moved": "{what} moved to {when}.",
    "move_not_a_date": "“{value}” is not a date; write YYYY-MM-DD.",
    "move_not_a_time": "“{value}” is not a time; write HH:MM.",
    "move_outside_month": "The day must be in the plan's month ({month}).",
    "move_taken": "The channel already has a post at {when}.",
    "link_title": "The page's title shows here",
}
