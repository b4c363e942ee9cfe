"""UI texts in Norwegian (bokmål, nynorsk) and English, and dates, times and durations in the
reader's language; Gradio picks by the browser's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import gradio as gr

from service.messages import label, render, render_or
from ui import import_texts, plans_texts

NB: dict[str, str] = {
    "title": "Gjenbruk",
    "tagline": "Bruk det som allerede virker – på nytt.",
    "local_model_note": (
        "Den innebygde språkmodellen er liten og kun for å prøve produktet uten nett. "
        "For tekster du vil publisere: pek Gjenbruk mot OpenAI eller en egen server "
        "(Ollama, vLLM, llama.cpp) med en instruksjonsmodell på 7B+ (se README)."
    ),
    "library_tab": "Bibliotek",
    "workspace": "Arbeidsområde",
    "search_label": "Søk i innleggene etter mening",
    "search_placeholder": "f.eks. «ansatte som lager mat»",
    "search_button": "Søk",
    "results": "Treff",
    "no_hits": "Ingen treff.",
    "col_post": "Innlegg",
    "col_channel": "Kanal",
    "col_date": "Publisert",
    "col_category": "Kategori",
    "col_similarity": "Likhet",
    "col_er": "Engasjement / rekkevidde",
    "col_reach": "Rekkevidde",
    "status_tab": "Status",
    "status_heading": "Hva som kjører",
    "plans_tab": "Månedsplan",
    "plan_input": "Plan for måneden (kanaler, frekvens, kategorier, kampanjer)",
    "make_slots": "Lag kalender",
    "generate_month": "Skriv utkast for hele måneden",
    "export_format": "Eksport",
    "drafts_word": "utkast",
    "no_price": "ingen pris per token (lokal modell)",
    "profiles_tab": "Profiltekster",
    "upload_profiles": "Last opp profiler (JSON/CSV)",
    "profiles_input": "Profiltekster per kanal og felt",
    "run_audit": "Kjør revisjon",
    "rewrite": "Skriv om et felt",
    "field": "Felt",
    "model_options": "Forslag fra språkmodellen",
    "propose": "Foreslå tekster",
    "option": "Forslag",
    "accept": "Godta og lagre",
    "accepted_done": "Lagret som godkjent profiltekst",
    "progress": "Score over tid",
    "profiles_missing": "Lim inn eller last opp profiltekstene først.",
    "pick_field": "Velg et felt først.",
    "pick_option": "Velg arbeidsområde, felt og tekst først.",
    "hidden_options": "Forslag som ikke besto kontrollene",
    "no_options": "Ingen forslag besto kontrollene; prøv igjen eller skriv selv.",
    "variants_tab": "Gjenbruk et innlegg",
    "find_post": "Finn innlegg",
    "find_post_hint": "søk, eller la stå tomt for de beste innleggene",
    "pick_post": "Innlegg (beste først)",
    "or_paste": "… eller lim inn tekst",
    "surfaces": "Flater",
    "language": "Språk",
    "lang_auto": "Som kilden",
    "source_type": "Hvem laget innholdet",
    "own": "Oss selv",
    "ugc": "En kunde (UGC)",
    "partner": "En partner",
    "make_variants": "Lag varianter",
    "working": "Skriver …",
    "review": "Rediger og godkjenn",
    "variant": "Variant",
    "edit": "Tekst (kan redigeres)",
    "approve": "Godkjenn",
    "reject": "Avvis",
    "export": "Last ned alle (JSON)",
    "approved_done": "Godkjent og lagret.",
    "rejected_done": "Avvist og lagret.",
    "passed": "✓ bestått",
    "failed": "✗ feilet",
    "no_text": "ingen tekst",
    "based_on": "Basert på disse innleggene",
    "pick_surfaces": "Kryss av minst én flate.",
    "pick_source": "Velg et innlegg eller lim inn tekst.",
    "pick_variant": "Velg en variant først.",
    "state_approved": "✅ Godkjent",
    "state_rejected": "🚫 Avvist",
    "state_override": "godkjent selv om kontrollene feilet",
    "edited_mark": "✎ redigert",
    "original_text": "Generert tekst",
    "approve_anyway": "Godkjenn likevel (varianten feilet kontrollene)",
    "approve_card_anyway": "Godkjenn likevel (feilet kontrollene)",
    "confirm_failed": (
        "⚠️ Denne varianten feilet kontrollene ({checks}). Kryss av for «Godkjenn likevel» "
        "og trykk Godkjenn igjen hvis du vil bruke den."
    ),
    "approved_override_done": "Godkjent selv om kontrollene feilet, og lagret med merknad.",
    "analysis_heading": "Hva som virker",
    "channel": "Kanal",
    "all_channels": "Alle kanaler",
    "show_analysis": "Vis analyse",
    "plot_over_time": "Engasjement per rekkevidde over tid",
    "plot_by_category": "Engasjement per kategori (snitt, n = antall innlegg)",
    "plot_by_band": "Engasjement per tidsrom (snitt, n = antall innlegg)",
    "published": "Publisert",
    "engagement_rate": "Engasjement / rekkevidde",
    "category": "Kategori",
    "hour_band": "Tidsrom",
    "best_band": "Beste tidsrom",
    "best_weekday": "Beste ukedag",
    "posts_word": "innlegg",
    "too_few": "for få innlegg ennå (minst 8 per gruppe)",
    "high_performers": "Toppinnlegg (beste 10 % av kanalens innlegg)",
    "no_posts": "Ingen innlegg ennå. Importer en eksport først.",
    "correct_heading": "### Rett kategori\nEn kategori du setter selv blir stående ved ny import.",
    "post": "Innlegg",
    "save_category": "Lagre kategori",
    "category_saved": (
        "Lagret: dette innlegget fikk kategori «{category}» (var «{before}»). "
        "Andre innlegg endret: {others}."
    ),
    "pick_workspace": "Velg et arbeidsområde.",
    "pick_post_and_category": "Velg både innlegg og kategori.",
    # The style-rules tab (ui/rules_tab.py)
    "rules_tab": "Stilregler",
    "rules_intro": (
        "Det redaktørene retter på, blir forslag til regler (med endringene som belegg). "
        "Regler som kan sjekkes, håndheves i hvert utkast; resten går inn i ledeteksten."
    ),
    "rules_refresh": "Oppdater",
    "rules_none": "Ingen stilregler ennå.",
    "rules_everywhere": "hele arbeidsområdet",
    "rules_enforced": "håndheves",
    "rules_guidance": "veiledning i ledeteksten",
    "rules_edits": "redigeringer",
    "rules_evidence": "Belegg",
    "rules_status_proposed": "forslag",
    "rules_status_on": "på",
    "rules_status_off": "av",
    "rules_source_mined": "lært av redigeringer",
    "rules_source_manual": "skrevet av en person",
    "rules_source_model": "forslag fra modell",
    "rules_pick": "Regel",
    "rules_on": "Slå på / godta",
    "rules_off": "Slå av",
    "rules_delete": "Slett",
    "rules_add": "Ny regel eller endre valgt",
    "rules_kind": "Type",
    "rules_value": "Ord, tekst eller antall",
    "rules_value_new": "Nytt ord (for bytt ut)",
    "rules_scope": "Gjelder",
    "rules_scope_channel": "én kanal",
    "rules_scope_surface": "én flate",
    "rules_scope_value": "Kanal eller flate",
    "rules_add_button": "Legg til",
    "rules_save_edit": "Lagre endring",
    "rules_added": "Regelen er lagt til.",
    "rules_saved": "Lagret (ny versjon).",
    "rules_deleted": "Slettet; den blir ikke foreslått igjen.",
    "rules_pick_first": "Velg en regel først.",
    "voice_heading": "Merkevarestemme",
    "voice_intro": "Foreslått ut fra de beste innleggene til den er lagret; rett og lagre.",
    "voice_tone": "Tone (ord, komma mellom)",
    "voice_avoid": "Ord vi unngår",
    "voice_use": "Ord vi bruker",
    "voice_emoji": "Emoji",
    "voice_max_emoji": "Høyst emoji",
    "voice_hashtags": "Emneknagger",
    "voice_max_hashtags": "Høyst emneknagger",
    "voice_formality": "Formalitet",
    "voice_address": "Du eller dere",
    "voice_first": "Vi eller me",
    "voice_standard": "Bokmål eller nynorsk",
    "voice_sign_offs": "Vanlige avslutninger",
    "voice_note": "Notat",
    "voice_save": "Lagre stemmen",
    "voice_saved": "Stemmen er lagret.",
    "example_approved_draft": "godkjent utkast",
    "example_edited_draft": "godkjent utkast, redigert",
    "plot_reuse": "Gjenbruk målt: publiserte utkast mot kilden og kanalen",
    "reuse_reused": "gjenbrukt",
    "reuse_sources": "kilden",
    "reuse_baseline": "kanalens andre",
    "reuse_lift": "mot kanalen",
    "reuse_none": "Ingen publiserte innlegg er koblet til godkjente utkast ennå.",
    "reuse_links": "{n} publiserte innlegg koblet til godkjente utkast.",
    "voice_stats": (
        "_Målt på de {posts} beste innleggene: {emoji} emoji, {tags} emneknagger og {bangs} "
        "utropstegn per innlegg, {chars} tegn i midten._"
    ),
}

EN: dict[str, str] = {
    "title": "Gjenbruk",
    "tagline": "Reuse what already works.",
    "local_model_note": (
        "The embedded language model is small and only for trying the product offline. "
        "For texts you will publish, point Gjenbruk at OpenAI or your own server "
        "(Ollama, vLLM, llama.cpp) with a 7B+ instruct model (see README)."
    ),
    "library_tab": "Library",
    "workspace": "Workspace",
    "search_label": "Search the posts by meaning",
    "search_placeholder": "e.g. “staff cooking”",
    "search_button": "Search",
    "results": "Results",
    "no_hits": "No results.",
    "col_post": "Post",
    "col_channel": "Channel",
    "col_date": "Published",
    "col_category": "Category",
    "col_similarity": "Similarity",
    "col_er": "Engagement / reach",
    "col_reach": "Reach",
    "status_tab": "Status",
    "status_heading": "What is running",
    "plans_tab": "Month plan",
    "plan_input": "The month's plan (channels, frequency, categories, campaigns)",
    "make_slots": "Make calendar",
    "generate_month": "Write drafts for the whole month",
    "export_format": "Export",
    "drafts_word": "drafts",
    "no_price": "no per-token price (local model)",
    "profiles_tab": "Profile texts",
    "upload_profiles": "Upload profiles (JSON/CSV)",
    "profiles_input": "Profile texts per channel and field",
    "run_audit": "Run audit",
    "rewrite": "Rewrite a field",
    "field": "Field",
    "model_options": "Options from the language model",
    "propose": "Propose texts",
    "option": "Option",
    "accept": "Accept and save",
    "accepted_done": "Saved as an approved profile text",
    "progress": "Score over time",
    "profiles_missing": "Paste or upload the profile texts first.",
    "pick_field": "Pick a field first.",
    "pick_option": "Pick a workspace, a field and a text first.",
    "hidden_options": "Options that failed the checks",
    "no_options": "No option passed the checks; try again or write it yourself.",
    "variants_tab": "Reuse a post",
    "find_post": "Find a post",
    "find_post_hint": "search, or leave empty for the best posts",
    "pick_post": "Post (best first)",
    "or_paste": "… or paste text",
    "surfaces": "Surfaces",
    "language": "Language",
    "lang_auto": "Same as the source",
    "source_type": "Who made the content",
    "own": "Us",
    "ugc": "A customer (UGC)",
    "partner": "A partner",
    "make_variants": "Make variants",
    "working": "Writing …",
    "review": "Edit and approve",
    "variant": "Variant",
    "edit": "Text (editable)",
    "approve": "Approve",
    "reject": "Reject",
    "export": "Download all (JSON)",
    "approved_done": "Approved and saved.",
    "rejected_done": "Rejected and saved.",
    "passed": "✓ passed",
    "failed": "✗ failed",
    "no_text": "no text",
    "based_on": "Based on these posts",
    "pick_surfaces": "Tick at least one surface.",
    "pick_source": "Pick a post or paste text.",
    "pick_variant": "Pick a variant first.",
    "state_approved": "✅ Approved",
    "state_rejected": "🚫 Rejected",
    "state_override": "approved although its checks failed",
    "edited_mark": "✎ edited",
    "original_text": "Generated text",
    "approve_anyway": "Approve anyway (the variant failed its checks)",
    "approve_card_anyway": "Approve anyway (failed its checks)",
    "confirm_failed": (
        "⚠️ This variant failed its checks ({checks}). Tick “Approve anyway” and press "
        "Approve again if you want to use it."
    ),
    "approved_override_done": "Approved although its checks failed, and saved with a note.",
    "analysis_heading": "What works",
    "channel": "Channel",
    "all_channels": "All channels",
    "show_analysis": "Show analysis",
    "plot_over_time": "Engagement per reach over time",
    "plot_by_category": "Engagement by category (mean, n = posts)",
    "plot_by_band": "Engagement by time of day (mean, n = posts)",
    "published": "Published",
    "engagement_rate": "Engagement / reach",
    "category": "Category",
    "hour_band": "Time of day",
    "best_band": "Best time of day",
    "best_weekday": "Best weekday",
    "posts_word": "posts",
    "too_few": "too few posts yet (8 per group needed)",
    "high_performers": "High performers (top 10 % of the channel's posts)",
    "no_posts": "No posts yet. Import an export first.",
    "correct_heading": "### Correct a category\nA category you set yourself is kept on re-import.",
    "post": "Post",
    "save_category": "Save category",
    "category_saved": (
        "Saved: this post's category is now “{category}” (was “{before}”). "
        "Other posts changed: {others}."
    ),
    "pick_workspace": "Pick a workspace.",
    "pick_post_and_category": "Pick both a post and a category.",
    # The style-rules tab (ui/rules_tab.py)
    "rules_tab": "Style rules",
    "rules_intro": (
        "What editors correct becomes proposed rules (with the edits as evidence). Rules a "
        "check can decide are enforced on every draft; the rest go into the prompt."
    ),
    "rules_refresh": "Refresh",
    "rules_none": "No style rules yet.",
    "rules_everywhere": "the whole workspace",
    "rules_enforced": "enforced",
    "rules_guidance": "prompt guidance",
    "rules_edits": "edits",
    "rules_evidence": "Evidence",
    "rules_status_proposed": "proposed",
    "rules_status_on": "on",
    "rules_status_off": "off",
    "rules_source_mined": "learnt from edits",
    "rules_source_manual": "written by a person",
    "rules_source_model": "model suggestion",
    "rules_pick": "Rule",
    "rules_on": "Switch on / accept",
    "rules_off": "Switch off",
    "rules_delete": "Delete",
    "rules_add": "New rule, or change the chosen one",
    "rules_kind": "Kind",
    "rules_value": "Word, text or number",
    "rules_value_new": "New word (for replace)",
    "rules_scope": "Applies to",
    "rules_scope_channel": "one channel",
    "rules_scope_surface": "one surface",
    "rules_scope_value": "Channel or surface",
    "rules_add_button": "Add",
    "rules_save_edit": "Save change",
    "rules_added": "The rule was added.",
    "rules_saved": "Saved (new version).",
    "rules_deleted": "Deleted; it will not be proposed again.",
    "rules_pick_first": "Pick a rule first.",
    "voice_heading": "Brand voice",
    "voice_intro": "Proposed from the best posts until saved; correct it and save.",
    "voice_tone": "Tone (words, comma-separated)",
    "voice_avoid": "Words we avoid",
    "voice_use": "Words we use",
    "voice_emoji": "Emoji",
    "voice_max_emoji": "At most emoji",
    "voice_hashtags": "Hashtags",
    "voice_max_hashtags": "At most hashtags",
    "voice_formality": "Formality",
    "voice_address": "Du or dere",
    "voice_first": "Vi or me",
    "voice_standard": "Bokmål or nynorsk",
    "voice_sign_offs": "Usual sign-offs",
    "voice_note": "Note",
    "voice_save": "Save the voice",
    "voice_saved": "The voice was saved.",
    "example_approved_draft": "approved draft",
    "example_edited_draft": "approved draft, edited",
    "plot_reuse": "Reuse measured: published drafts against their source and the channel",
    "reuse_reused": "reused",
    "reuse_sources": "source",
    "reuse_baseline": "channel's others",
    "reuse_lift": "vs channel",
    "reuse_none": "No published post is linked to an approved draft yet.",
    "reuse_links": "{n} published posts linked to approved drafts.",
    "voice_stats": (
        "_Measured on the {posts} best posts: {emoji} emoji, {tags} hashtags and {bangs} "
        "exclamation marks per post, median {chars} characters._"
    ),
}

NB.update(import_texts.NB)
EN.update(import_texts.EN)
NB.update(plans_texts.NB)
EN.update(plans_texts.EN)
# The editor's tabs (plan form, calendar, status, library reuse, analysis): nb, en, nn.
NB.update(
    {
        "wd_0": "mandag",
        "wd_1": "tirsdag",
        "wd_2": "onsdag",
        "wd_3": "torsdag",
        "wd_4": "fredag",
        "wd_5": "lørdag",
        "wd_6": "søndag",
        "analysis_tab": "Analyse",
        "thin_evidence": "skravert = under 5 innlegg, for lite å stole på",
        "evidence_ok": "nok innlegg",
        "evidence_thin": "tynt grunnlag",
        "evidence": "Grunnlag",
        "min_relevance": "Vis bare treff som ligner minst (%)",
        "sort_by": "Sorter etter",
        "sort_relevance": "Mest lik",
        "sort_engagement": "Best engasjement",
        "sort_date": "Nyest",
        "col_match": "Treff",
        "match_strong": "sterkt",
        "match_good": "godt",
        "match_weak": "svakt",
        "reuse_pick": "Innlegg å gjenbruke",
        "reuse_post": "Gjenbruk dette innlegget",
        "hidden_hits": "{n} svakere treff skjult (under {percent} %).",
        "plan_form": "### Planen",
        "organisation": "Virksomhet",
        "target_month": "Måned (ÅÅÅÅ-MM)",
        "plan_language": "Språk i innleggene",
        "plan_channels": "Kanaler",
        "col_per_week": "Innlegg per uke",
        "col_days": "Ukedager",
        "col_time": "Klokkeslett",
        "plan_categories": "Kategorier med vekt",
        "col_weight": "Vekt",
        "plan_campaigns": "Kampanjer",
        "col_name": "Navn",
        "col_start": "Fra (ÅÅÅÅ-MM-DD)",
        "col_end": "Til (ÅÅÅÅ-MM-DD)",
        "col_channels": "Kanaler",
        "col_details": "Detaljer (pris, sted, tid)",
        "plan_voice": "Stemme: slik skriver vi",
        "plan_facts": "Fakta innleggene kan bruke",
        "col_fact": "Hva",
        "col_value": "Verdi",
        "upload_plan": "Last opp plan (JSON)",
        "download_plan": "Last ned planen (JSON)",
        "save_plan": "Lagre planen",
        "plan_saved": "Planen er lagret: {channels} kanaler, {categories} kategorier.",
        "plan_invalid": "Planen kan ikke brukes: {reason}",
        "bad_weekday": "ukjent ukedag «{value}»",
        "bad_channel": "ukjent kanal «{value}»",
        "bad_number": "«{value}» er ikke et tall",
        "filter_status": "Vis",
        "all_statuses": "Alle",
        "status_proposed": "Til vurdering",
        "status_approved": "Godkjent",
        "status_rejected": "Avvist",
        "status_failed": "Ikke bestått",
        "save_edit": "Lagre endring",
        "see_more": "… mer",
        "cut_note": "{network} viser de første {visible} tegnene før «mer».",
        "chars_of": "{found} av {limit} tegn",
        "check_passed": "bestått",
        "check_failed": "ikke bestått",
        "check_advice": "råd",
        "no_drafts_yet": "Ingen utkast ennå. Lag kalenderen og skriv utkast for måneden.",
        "slot_saved": "{when}: {status}.",
        "job_status_queued": "i kø",
        "job_status_running": "kjører",
        "job_status_done": "ferdig",
        "job_status_failed": "feilet",
        "job_status_cancelled": "avbrutt",
        "job_status_cancelling": "avbrytes (utkast som er i gang, blir ferdige)",
        "job_kind_plan_drafts": "Utkast for {month}",
        "job_kind_other": "Jobb",
        "elapsed": "{time} brukt",
        "remaining": "om lag {low}–{high} igjen",
        "remaining_unknown": "anslag for tiden som gjenstår kommer når første utkast er ferdig",
        "items_progress": "{done} av {total} ferdig, {failed} feilet",
        "no_jobs": "Ingen jobber ennå.",
        "pick_job": "Jobb",
        "pick_job_first": "Velg en jobb først.",
        "cancel_job": "Avbryt jobben",
        "resume_job": "Fortsett / prøv igjen",
        "job_cancel_done": "{name}: {status}.",
        "job_resume_done": "{name}: {status}.",
        "profile_editor": "Rediger profiltekstene",
        "count_ok": "{found} av {limit} tegn",
        "count_over": "{found} av {limit} tegn – {excess} for mange",
        "count_free": "{found} tegn",
        "profiles_from_editor": "Bruk tekstene over",
        "col_text": "Tekst",
        "col_chars": "Tegn",
        "col_score": "Poeng",
        "col_findings": "Funn",
        "minutes_seconds": "{m} min {s} s",
        "seconds": "{s} s",
        "hours_minutes": "{h} t {m} min",
        "check_length": "Lengde",
        "check_length_recommended": "Anbefalt lengde",
        "check_hashtags": "Emneknagger",
        "check_links": "Lenker",
        "check_content": "Innhold",
        "check_not_empty": "Ikke tom",
        "check_facts_kept": "Fakta beholdt",
        "check_no_invented_facts": "Ingen nye fakta",
        "check_names_kept": "Navn beholdt",
        "check_no_injected_text": "Ingen tilsidesatt tekst",
        "check_language": "Språk",
        "check_emoji": "Emoji",
        "check_consent": "Samtykke",
        "check_model_output": "Svar fra modellen",
        "check_other": "Kontroll",
        "check_valid": "Gyldig",
        "finding_over_limit": "For lang",
        "finding_missing_keyword": "Mangler søkeord",
        "finding_inconsistent_fact": "Motstridende fakta",
        "finding_outdated": "Utdatert",
        "finding_no_cta": "Ingen oppfordring",
        "finding_no_contact_path": "Ingen vei til kontakt",
        "finding_language_mismatch": "Annet språk",
        "finding_generic": "Generisk tekst",
        "finding_spelling": "Skrivefeil",
        "finding_unknown_channel": "Ukjent kanal",
        "finding_unknown_field": "Ukjent felt",
        "finding_against_rules": "Mot plattformens regler",
        "finding_other": "Funn",
        "origin_rules": "Regelbasert",
        "origin_model": "Språkmodellen",
    }
)
EN.update(
    {
        "wd_0": "Monday",
        "wd_1": "Tuesday",
        "wd_2": "Wednesday",
        "wd_3": "Thursday",
        "wd_4": "Friday",
        "wd_5": "Saturday",
        "wd_6": "Sunday",
        "analysis_tab": "Analysis",
        "thin_evidence": "hatched = under 5 posts, too few to rely on",
        "evidence_ok": "enough posts",
        "evidence_thin": "thin evidence",
        "evidence": "Evidence",
        "min_relevance": "Only show results at least this similar (%)",
        "sort_by": "Sort by",
        "sort_relevance": "Most similar",
        "sort_engagement": "Best engagement",
        "sort_date": "Newest",
        "col_match": "Match",
        "match_strong": "strong",
        "match_good": "good",
        "match_weak": "weak",
        "reuse_pick": "Post to reuse",
        "reuse_post": "Reuse this post",
        "hidden_hits": "{n} weaker results hidden (below {percent} %).",
        "plan_form": "### The plan",
        "organisation": "Organisation",
        "target_month": "Month (YYYY-MM)",
        "plan_language": "Language of the posts",
        "plan_channels": "Channels",
        "col_per_week": "Posts per week",
        "col_days": "Weekdays",
        "col_time": "Time",
        "plan_categories": "Categories with weights",
        "col_weight": "Weight",
        "plan_campaigns": "Campaigns",
        "col_name": "Name",
        "col_start": "From (YYYY-MM-DD)",
        "col_end": "To (YYYY-MM-DD)",
        "col_channels": "Channels",
        "col_details": "Details (price, place, time)",
        "plan_voice": "Voice: how we write",
        "plan_facts": "Facts the posts may use",
        "col_fact": "What",
        "col_value": "Value",
        "upload_plan": "Upload a plan (JSON)",
        "download_plan": "Download the plan (JSON)",
        "save_plan": "Save the plan",
        "plan_saved": "The plan is saved: {channels} channels, {categories} categories.",
        "plan_invalid": "The plan cannot be used: {reason}",
        "bad_weekday": "unknown weekday “{value}”",
        "bad_channel": "unknown channel “{value}”",
        "bad_number": "“{value}” is not a number",
        "filter_status": "Show",
        "all_statuses": "All",
        "status_proposed": "To review",
        "status_approved": "Approved",
        "status_rejected": "Rejected",
        "status_failed": "Failed the checks",
        "save_edit": "Save edit",
        "see_more": "… more",
        "cut_note": "{network} shows the first {visible} characters before “more”.",
        "chars_of": "{found} of {limit} characters",
        "check_passed": "passed",
        "check_failed": "failed",
        "check_advice": "advice",
        "no_drafts_yet": "No drafts yet. Make the calendar and write the month's drafts.",
        "slot_saved": "{when}: {status}.",
        "job_status_queued": "queued",
        "job_status_running": "running",
        "job_status_done": "done",
        "job_status_failed": "failed",
        "job_status_cancelled": "cancelled",
        "job_status_cancelling": "cancelling (drafts under way finish first)",
        "job_kind_plan_drafts": "Drafts for {month}",
        "job_kind_other": "Job",
        "elapsed": "{time} so far",
        "remaining": "about {low}–{high} left",
        "remaining_unknown": "the time left is estimated once the first draft is done",
        "items_progress": "{done} of {total} done, {failed} failed",
        "no_jobs": "No jobs yet.",
        "pick_job": "Job",
        "pick_job_first": "Pick a job first.",
        "cancel_job": "Cancel the job",
        "resume_job": "Resume / retry",
        "job_cancel_done": "{name}: {status}.",
        "job_resume_done": "{name}: {status}.",
        "profile_editor": "Edit the profile texts",
        "count_ok": "{found} of {limit} characters",
        "count_over": "{found} of {limit} characters – {excess} too many",
        "count_free": "{found} characters",
        "profiles_from_editor": "Use the texts above",
        "col_text": "Text",
        "col_chars": "Characters",
        "col_score": "Score",
        "col_findings": "Findings",
        "minutes_seconds": "{m} min {s} s",
        "seconds": "{s} s",
        "hours_minutes": "{h} h {m} min",
        "check_length": "Length",
        "check_length_recommended": "Recommended length",
        "check_hashtags": "Hashtags",
        "check_links": "Links",
        "check_content": "Content",
        "check_not_empty": "Not empty",
        "check_facts_kept": "Facts kept",
        "check_no_invented_facts": "No new facts",
        "check_names_kept": "Names kept",
        "check_no_injected_text": "No set-aside text",
        "check_language": "Language",
        "check_emoji": "Emoji",
        "check_consent": "Consent",
        "check_model_output": "The model's answer",
        "check_other": "Check",
        "check_valid": "Valid",
        "finding_over_limit": "Too long",
        "finding_missing_keyword": "Missing keyword",
        "finding_inconsistent_fact": "Conflicting facts",
        "finding_outdated": "Outdated",
        "finding_no_cta": "No call to action",
        "finding_no_contact_path": "No way to get in touch",
        "finding_language_mismatch": "Another language",
        "finding_generic": "Generic text",
        "finding_spelling": "Spelling",
        "finding_unknown_channel": "Unknown channel",
        "finding_unknown_field": "Unknown field",
        "finding_against_rules": "Against the platform's rules",
        "finding_other": "Finding",
        "origin_rules": "Rule-based",
        "origin_model": "The language model",
    }
)
# Nynorsk: bokmål where the words are the same, its own words where they differ.
NN: dict[str, str] = {
    **NB,
    **import_texts.NN,
    **plans_texts.NN,
    "approve_card_anyway": "Godkjenn likevel (feila kontrollane)",
    "wd_0": "måndag",
    "wd_1": "tysdag",
    "wd_2": "onsdag",
    "wd_3": "torsdag",
    "wd_4": "fredag",
    "wd_5": "laurdag",
    "wd_6": "sundag",
    "analysis_tab": "Analyse",
    "thin_evidence": "skravert = under 5 innlegg, for lite å lite på",
    "min_relevance": "Vis berre treff som liknar minst (%)",
    "sort_relevance": "Mest lik",
    "sort_date": "Nyaste",
    "reuse_post": "Bruk dette innlegget på nytt",
    "hidden_hits": "{n} svakare treff gøymde (under {percent} %).",
    "plan_form": "### Planen",
    "organisation": "Verksemd",
    "plan_language": "Språk i innlegga",
    "plan_facts": "Fakta innlegga kan bruke",
    "plan_voice": "Stemme: slik skriv vi",
    "download_plan": "Last ned planen (JSON)",
    "plan_saved": "Planen er lagra: {channels} kanalar, {categories} kategoriar.",
    "plan_invalid": "Planen kan ikkje brukast: {reason}",
    "plan_channels": "Kanalar",
    "col_channels": "Kanalar",
    "plan_categories": "Kategoriar med vekt",
    "bad_weekday": "ukjend vekedag «{value}»",
    "bad_channel": "ukjend kanal «{value}»",
    "bad_number": "«{value}» er ikkje eit tal",
    "col_days": "Vekedagar",
    "status_failed": "Ikkje bestått",
    "status_rejected": "Avvist",
    "save_edit": "Lagre endringa",
    "check_failed": "ikkje bestått",
    "no_drafts_yet": "Ingen utkast enno. Lag kalenderen og skriv utkast for månaden.",
    "remaining": "om lag {low}–{high} att",
    "remaining_unknown": "overslag for tida som står att kjem når første utkast er ferdig",
    "items_progress": "{done} av {total} ferdige, {failed} feila",
    "job_status_failed": "feila",
    "job_status_cancelling": "blir avbroten (utkast som er i gang, blir ferdige)",
    "no_jobs": "Ingen jobbar enno.",
    "pick_job_first": "Vel ein jobb først.",
    "cancel_job": "Avbryt jobben",
    "resume_job": "Hald fram / prøv igjen",
    "count_over": "{found} av {limit} teikn – {excess} for mange",
    "count_ok": "{found} av {limit} teikn",
    "count_free": "{found} teikn",
    "chars_of": "{found} av {limit} teikn",
    "cut_note": "{network} viser dei første {visible} teikna før «meir».",
    "see_more": "… meir",
    "profile_editor": "Rediger profiltekstane",
    "profiles_from_editor": "Bruk tekstane over",
    "col_text": "Tekst",
    "col_chars": "Teikn",
    "check_facts_kept": "Fakta haldne",
    "check_names_kept": "Namn haldne",
    "check_not_empty": "Ikkje tom",
    "check_emoji": "Emoji",
    "check_model_output": "Svar frå modellen",
    "check_no_injected_text": "Ingen tilsidesett tekst",
    "check_hashtags": "Emneknaggar",
    "check_links": "Lenkjer",
    "library_tab": "Bibliotek",
    "workspace": "Arbeidsområde",
    "pick_workspace": "Vel eit arbeidsområde.",
    "finding_missing_keyword": "Manglar søkjeord",
    "finding_inconsistent_fact": "Motstridande fakta",
    "finding_no_cta": "Inga oppmoding",
    "finding_no_contact_path": "Ingen veg til kontakt",
    "finding_language_mismatch": "Anna språk",
    "finding_spelling": "Skrivefeil",
    "finding_unknown_channel": "Ukjend kanal",
    "finding_unknown_field": "Ukjend felt",
    "finding_against_rules": "Mot reglane til plattforma",
    "origin_rules": "Regelbasert",
    "origin_model": "Språkmodellen",
}

# The reuse tab's surface groups (its checkboxes are named on load, in the reader's language).
NB.update(
    {"surface_kind_owned": "Eid", "surface_kind_earned": "Fortjent", "surface_kind_paid": "Betalt"}
)
NN.update(
    {"surface_kind_owned": "Eigd", "surface_kind_earned": "Fortent", "surface_kind_paid": "Betalt"}
)
EN.update(
    {"surface_kind_owned": "Owned", "surface_kind_earned": "Earned", "surface_kind_paid": "Paid"}
)
# The time axis's title when the days are grouped into weeks or months (many posts).
NB.update({"published_week": "Publisert, uke fra", "published_month": "Publisert, måned"})
NN.update({"published_week": "Publisert, veke frå", "published_month": "Publisert, månad"})
EN.update({"published_week": "Published, week of", "published_month": "Published, month"})
# Short dates on a plot's time axis: «15. mar.», "15 Mar" (Vega would write English ones).
MONTHS_SHORT = {
    "nb": ("jan.", "feb.", "mar.", "apr.", "mai", "jun.", "jul.", "aug.", "sep.", "okt.",
           "nov.", "des."),
    "nn": ("jan.", "feb.", "mar.", "apr.", "mai", "jun.", "jul.", "aug.", "sep.", "okt.",
           "nov.", "des."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}  # fmt: skip


def short_date(day: dt.date | str, lang: str, *, year: bool = False) -> str:
    """«15. mar.» (with the year: «15. mar. 2026») in Norwegian, "15 Mar" in English."""
    d = dt.date.fromisoformat(day[:10]) if isinstance(day, str) else day
    month = MONTHS_SHORT[_lang(lang)][d.month - 1]
    core = f"{d.day} {month}" if _lang(lang) == "en" else f"{d.day}. {month}"
    return f"{core} {d.year}" if year else core


def short_month(day: dt.date | str, lang: str, *, year: bool = False) -> str:
    """«mar.» (with the year: «mar. 2026»), "Mar 2026"."""
    d = dt.date.fromisoformat(day[:10]) if isinstance(day, str) else day
    month = MONTHS_SHORT[_lang(lang)][d.month - 1]
    return f"{month} {d.year}" if year else month


WEEKDAYS_SHORT = {
    "nb": ("man", "tir", "ons", "tor", "fre", "lør", "søn"),
    "nn": ("mån", "tys", "ons", "tor", "fre", "lau", "sun"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
WEEKDAYS_LONG = {
    "nb": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "nn": ("måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "sundag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS = {
    "nb": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
           "september", "oktober", "november", "desember"),
    "nn": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
           "september", "oktober", "november", "desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip
# Brand names are the same in every language; the plan and the data know them in lower case.
CHANNEL_NAMES = {
    "instagram": "Instagram",
    "facebook": "Facebook",
    "linkedin": "LinkedIn",
    "tiktok": "TikTok",
    "x": "X",
}
LOCAL_ZONE = ZoneInfo("Europe/Oslo")


def channel_name(channel: str) -> str:
    return CHANNEL_NAMES.get(channel, channel.capitalize())


def date_text(day: dt.date | str, lang: str, *, weekday: bool = False) -> str:
    """«3. desember 2026» in Norwegian, "3 December 2026" in English."""
    d = dt.date.fromisoformat(day[:10]) if isinstance(day, str) else day
    month = MONTHS[_lang(lang)][d.month - 1]
    core = f"{d.day}. {month} {d.year}" if _lang(lang) != "en" else f"{d.day} {month} {d.year}"
    if not weekday:
        return core
    return f"{WEEKDAYS_LONG[_lang(lang)][d.weekday()]} {core}"


def month_text(target_month: str, lang: str) -> str:
    year, month = (int(x) for x in target_month.split("-"))
    return f"{MONTHS[_lang(lang)][month - 1]} {year}"


def datetime_text(when: dt.datetime | str, lang: str) -> str:
    moment = dt.datetime.fromisoformat(when) if isinstance(when, str) else when
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(LOCAL_ZONE)
    clock = local.strftime("%H:%M")
    day = date_text(local.date(), lang)
    return f"{day}, {clock}" if _lang(lang) == "en" else f"{day} kl. {clock}"


def duration_text(seconds: float, lang: str) -> str:
    total = max(0, round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    if h:
        return text("hours_minutes", lang).format(h=h, m=m)
    if m:
        return text("minutes_seconds", lang).format(m=m, s=s)
    return text("seconds", lang).format(s=s)


def job_label(job: dict[str, Any], lang: str) -> str:
    """A job as people name it ("Utkast for desember 2026"), never its id or kind."""
    month = ((job.get("params") or {}).get("plan") or {}).get("target_month")
    if job.get("kind") == "plan_drafts" and isinstance(month, str):
        return text("job_kind_plan_drafts", lang).format(month=month_text(month, lang))
    return text("job_kind_other", lang)


def _lang(lang: str) -> str:
    return lang if lang in ("nb", "nn", "en") else "en"


def _table(lang: str) -> dict[str, str]:
    return {"nb": NB, "nn": NN, "en": EN}[_lang(lang)]


# Browsers say "nb", "no" or "nn" for Norwegian; nb and no get bokmål, nn nynorsk.
I18N = gr.I18n(en=EN, nb=NB, no=NB, nn=NN)


def t(key: str) -> gr.i18n.I18nData:
    return I18N(key)


def language_of(request: gr.Request | None) -> str:
    """'nn' for Nynorsk browsers, 'nb' for other Norwegian ones, else 'en' (Gradio's I18n does
    the same for static texts)."""
    header = ""
    if request is not None:
        header = (request.headers.get("accept-language") or "").lower()
    first = header.split(",")[0].strip()
    if first.startswith("nn"):
        return "nn"
    return "nb" if first.startswith(("nb", "no")) else "en"


def text(key: str, lang: str) -> str:
    return _table(lang)[key]


# Checks and findings arrive as data (code and parameters); their words come from the message
# catalogue in the reader's language, never the internal names (`facts_kept`, `no_cta`).
def check_label(check: Mapping[str, Any], lang: str) -> str:
    return label(str(check["name"]), lang)


def check_detail(check: Mapping[str, Any], lang: str) -> str:
    stored = str(check.get("detail", ""))
    return render_or(stored, str(check.get("code") or ""), check.get("params") or {}, lang)


def finding_label(finding: Mapping[str, Any], lang: str) -> str:
    return label(str(finding["code"]), lang)


def finding_suggestion(finding: Mapping[str, Any], lang: str) -> str:
    stored = str(finding.get("suggestion", ""))
    return render_or(stored, str(finding.get("message") or ""), finding.get("params") or {}, lang)


def finding_evidence(finding: Mapping[str, Any], lang: str) -> str:
    """A measured evidence (a length, a language) rendered again; a quote stays a quote."""
    code = f"audit.{finding['code']}.evidence"
    stored = str(finding.get("evidence", ""))
    return render_or(stored, code, finding.get("params") or {}, lang)


def origin_label(origin: str, lang: str) -> str:
    """Where a proposal came from ("rules", "model") as a person says it."""
    return label(origin, lang)


def surface_name(surface_id: str, lang: str) -> str:
    return render("surface.name", {"surface": surface_id}, lang)


def notice_texts(result: Mapping[str, Any], lang: str) -> list[str]:
    """A response's warnings in `lang`, from their codes where it has them."""
    notices = result.get("notices") or []
    if notices:
        return [
            render_or(str(n.get("text", "")), n["code"], n.get("params") or {}, lang)
            for n in notices
        ]
    return [str(w) for w in result.get("warnings", [])]
