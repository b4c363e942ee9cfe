"""UI texts in Norwegian (bokmål) and English; Gradio picks by the browser's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gradio as gr

from service.messages import label, render, render_or
from ui import import_texts

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
# Nynorsk: its own words where a tab has them, bokmål for the rest.
NN: dict[str, str] = {**NB, **import_texts.NN}

# Browsers say "nb", "no" or "nn" for Norwegian.
I18N = gr.I18n(en=EN, nb=NB, no=NB, nn=NN)


def t(key: str) -> gr.i18n.I18nData:
    return I18N(key)


def language_of(request: gr.Request | None) -> str:
    """'nn' for nynorsk browsers, 'nb' for other Norwegian ones, else 'en' (Gradio's I18n does
    the same for static texts)."""
    header = ""
    if request is not None:
        header = (request.headers.get("accept-language") or "").lower()
    first = header.split(",")[0].strip()
    if first.startswith("nn"):
        return "nn"
    return "nb" if first.startswith(("nb", "no")) else "en"


def text(key: str, lang: str) -> str:
    return {"nb": NB, "nn": NN}.get(lang, EN)[key]


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
