#!/usr/bin/env bash
# Prepare this checkout to run (or test) thinktank on Debian 12:
#   1. install the Debian packages that are missing (as root, or through sudo);
#   2. create the virtual environment .venv;
#   3. install the app into it, again only when setup.py, setup.cfg or pyproject.toml
#      changed;
#   4. compile the translations that changed.
# A second run does no apt or pip work.
#
#   source bin/bootstrap.sh MODE [DEBIAN_PACKAGE ...]   # also puts .venv/bin on PATH
#   bin/bootstrap.sh MODE [DEBIAN_PACKAGE ...]
#
# MODE is "run" (the app) or "test" (the app and its test tools, ".[test]").
# Extra Debian packages (e.g. chromium, postgresql) are installed as in step 1.

THINKTANK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Packages the app needs at run time: WeasyPrint's libraries (harfbuzz-subset
# makes Chinese PDFs fast, see TRAPS.md) and the CJK fonts the PDFs embed.
RUNTIME_PACKAGES=(fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0)

say() {
    printf '==> %s\n' "$*"
}

_bootstrap_missing_packages() {
    local package
    for package in "$@"; do
        case "$(dpkg-query -W -f='${Status} ' "$package" 2>/dev/null)" in
            *"install ok installed"*) ;;
            *) printf '%s\n' "$package" ;;
        esac
    done
}

_bootstrap_debian_packages() {
    local wanted=("${RUNTIME_PACKAGES[@]}" "$@")
    # Debian's python3 has no ensurepip (so no "python3 -m venv") without python3-venv.
    if ! command -v python3 >/dev/null; then
        wanted+=(python3 python3-venv)
    elif ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
        wanted+=(python3-venv)
    fi
    if ! command -v dpkg-query >/dev/null; then
        say "Not a Debian system: make sure these are installed: ${wanted[*]}"
        return 0
    fi
    local missing
    mapfile -t missing < <(_bootstrap_missing_packages "${wanted[@]}")
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || {
            say "Please install as root: apt-get install ${missing[*]}"
            return 1
        }
        sudo=(sudo)
    fi
    say "Installing Debian packages: ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null
}

_bootstrap_venv() {
    local venv="$THINKTANK_ROOT/.venv"
    if [ -x "$venv/bin/pip" ]; then
        return 0
    fi
    if [ -e "$venv" ]; then  # left half-made, e.g. by a venv without ensurepip
        say "Removing the incomplete virtual environment .venv"
        rm -rf "$venv"
    fi
    say "Creating the virtual environment .venv"
    python3 -m venv "$venv"
}

# The stamp holds a hash of the packaging files and the extras installed with
# it; "run" is satisfied by a "test" install of the same files.
_bootstrap_install() {
    local mode="$1" venv="$THINKTANK_ROOT/.venv"
    local stamp="$venv/.thinktank-installed" target="." extras="run"
    if [ "$mode" = test ]; then
        target=".[test]"
        extras="test"
    fi
    local digest
    digest="$(cd "$THINKTANK_ROOT" && cat setup.py setup.cfg pyproject.toml | sha256sum | cut -d' ' -f1)"
    if [ -f "$stamp" ]; then
        local installed_digest installed_extras
        read -r installed_digest installed_extras < "$stamp"
        if [ "$installed_digest" = "$digest" ] \
            && { [ "$extras" = run ] || [ "$installed_extras" = test ]; }; then
            return 0
        fi
    fi
    say "Installing thinktank ($extras) into .venv (a few minutes the first time)"
    (cd "$THINKTANK_ROOT" && "$venv/bin/python" -m pip install -qq --editable "$target")
    printf '%s %s\n' "$digest" "$extras" > "$stamp"
}

# The catalogs, the code that compiles them and the list of compiled files:
# compiling is needed when one of them changed (e.g. a compiled file went missing).
_bootstrap_translations_digest() (
    cd "$THINKTANK_ROOT"
    {
        find translations -name '*.po' -print0 | sort -z | xargs -0r cat
        cat thinktank/catalogs.py
        find translations -name '*.mo' | sort
    } | sha256sum | cut -d' ' -f1
)

_bootstrap_translations() {
    local stamp="$THINKTANK_ROOT/.venv/.thinktank-translations"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(_bootstrap_translations_digest)" ]; then
        return 0
    fi
    say "Compiling translations"
    (cd "$THINKTANK_ROOT" && "$THINKTANK_ROOT/.venv/bin/flask" --app wsgi i18n compile >/dev/null)
    _bootstrap_translations_digest > "$stamp"
}

# A subshell, so that strict mode stays inside even when sourced. Never call it
# in an "if" or "||" list: bash would switch off "set -e" inside.
bootstrap() (
    set -euo pipefail
    local mode="${1:-}"
    case "$mode" in
        run | test) shift ;;
        *)
            echo "usage: bin/bootstrap.sh run|test [DEBIAN_PACKAGE ...]" >&2
            exit 2
            ;;
    esac
    _bootstrap_debian_packages "$@"
    _bootstrap_venv
    _bootstrap_install "$mode"
    _bootstrap_translations
)

bootstrap "$@"
_bootstrap_status=$?
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    exit "$_bootstrap_status"
fi
[ "$_bootstrap_status" -eq 0 ] || return "$_bootstrap_status"
# Sourced: the caller uses .venv from here on.
export VIRTUAL_ENV="$THINKTANK_ROOT/.venv"
export PATH="$VIRTUAL_ENV/bin:$PATH"
