#!/usr/bin/env bash
# Translations for Huhang (护航).
#   scripts/i18n.sh extract   # code + templates -> volunteer/translations/messages.pot
#   scripts/i18n.sh update    # merge the .pot into each locale's messages.po (init the first time)
#   scripts/i18n.sh compile   # messages.po -> messages.mo (the app loads the .mo; commit both)
#   scripts/i18n.sh all       # extract, update, compile
# Set PYBABEL to choose the pybabel command (default: .venv/bin/pybabel, else python -m babel.messages.frontend).
set -euo pipefail

cd "$(dirname "$0")/.."

TRANSLATIONS=volunteer/translations
POT="$TRANSLATIONS/messages.pot"
LOCALES=(zh_Hans_CN en)
KEYWORDS=(-k _ -k _l -k gettext -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2)

if [[ -n "${PYBABEL:-}" ]]; then
    read -r -a BABEL <<<"$PYBABEL"
elif [[ -x .venv/bin/pybabel ]]; then
    BABEL=(.venv/bin/pybabel)
else
    BABEL=("${PYTHON:-python3}" -m babel.messages.frontend)
fi

extract() {
    mkdir -p "$TRANSLATIONS"
    "${BABEL[@]}" extract -F babel.cfg "${KEYWORDS[@]}" \
        --no-location --sort-output \
        --project=Huhang --copyright-holder="Huhang" \
        -o "$POT" .
}

update() {
    [[ -f "$POT" ]] || extract
    local locale
    for locale in "${LOCALES[@]}"; do
        # --init-missing creates the catalogue the first time; -N: new strings stay untranslated
        # (never guessed from similar ones), so tests/test_i18n.py lists them for translation.
        "${BABEL[@]}" update -i "$POT" -d "$TRANSLATIONS" -l "$locale" \
            --init-missing --ignore-obsolete --no-fuzzy-matching --ignore-pot-creation-date
    done
}

compile() {
    "${BABEL[@]}" compile -d "$TRANSLATIONS" --statistics
}

case "${1:-}" in
    extract) extract ;;
    update) update ;;
    compile) compile ;;
    all) extract; update; compile ;;
    *) echo "usage: $0 extract|update|compile|all" >&2; exit 2 ;;
esac
