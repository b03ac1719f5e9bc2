#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check a Flatpak manifest of this project without building it.

The GNOME runtime cannot be downloaded on the project's machines, so a build is
out of reach. This runs `flatpak-builder --show-manifest`, which parses the
manifest into flatpak-builder's own object model, and fails on any warning it
prints (it only *warns* about unknown properties and source types, and still
exits 0). It then checks what flatpak-builder does not: that every download is
pinned by a checksum or commit, that local files the manifest names exist, that
the sandbox gets no filesystem access, that the last module builds this
project from its source tree, and that the meson options it passes build this
app and nothing else: the project is configured with them and its install plan
(meson introspect --installed) must hold this app's command and files and none
of the other programs'.

Usage: check-manifest.py FLATPAK_BUILDER MANIFEST
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SHA256 = re.compile(r"^[0-9a-f]{64}$")
COMMIT = re.compile(r"^[0-9a-f]{40}$")

errors = []


def error(msg):
    errors.append(msg)


def check_source(src, where, manifest_dir):
    kind = src.get("type")
    if kind in ("archive", "file"):
        if "url" in src:
            if not src["url"].startswith("https://"):
                error(f"{where}: {kind} url must be https: {src['url']}")
            if not SHA256.match(src.get("sha256", "")):
                error(f"{where}: {kind} source {src['url']} needs a sha256 checksum")
        elif "path" in src:
            if not os.path.exists(os.path.join(manifest_dir, src["path"])):
                error(f"{where}: {src['path']} does not exist")
        else:
            error(f"{where}: {kind} source has neither url nor path")
    elif kind == "git":
        if not src.get("url", "").startswith("https://"):
            error(f"{where}: git url must be https: {src.get('url')}")
        if not COMMIT.match(src.get("commit", "")):
            error(f"{where}: git source {src.get('url')} must be pinned with a full commit id")
    elif kind in ("patch", "dir"):
        paths = src.get("paths", []) + ([src["path"]] if "path" in src else [])
        if not paths:
            error(f"{where}: {kind} source without path")
        for path in paths:
            if not os.path.exists(os.path.join(manifest_dir, path)):
                error(f"{where}: {path} does not exist")
    elif kind in ("shell", "script"):
        pass
    else:
        error(f"{where}: source type {kind!r} is not allowed here")


def walk_modules(modules, manifest_dir, names):
    for module in modules:
        if isinstance(module, str):
            error(f"module file {module}: keep modules inline so this test sees them")
            continue
        name = module.get("name", "?")
        names.append(name)
        for i, src in enumerate(module.get("sources", [])):
            if isinstance(src, str):
                error(f"module {name}: source file {src}: keep sources inline")
                continue
            check_source(src, f"module {name} source {i}", manifest_dir)
        walk_modules(module.get("modules", []), manifest_dir, names)


PROGRAMS = {"intake-kiosk", "intake-review", "intake-server", "intake-admin"}
APP_IDS = {"org.intakekiosk.Kiosk", "org.intakekiosk.Review"}


def check_install_plan(root, config_opts, app_id, command):
    meson = shutil.which("meson")
    if meson is None:
        error("meson was not found: install the Debian package meson (scripts/install-deps does)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        build = os.path.join(tmp, "build")
        proc = subprocess.run([meson, "setup", "--prefix=/app", *config_opts, build, root],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            error(f"meson setup {' '.join(config_opts)} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
            return
        proc = subprocess.run([meson, "introspect", "--installed", build], capture_output=True, text=True)
        if proc.returncode != 0:
            error(f"meson introspect --installed failed:\n{proc.stderr}")
            return
        installed = sorted(json.loads(proc.stdout).values())
    others = (PROGRAMS - {command}) | (APP_IDS - {app_id})
    for dest in installed:
        for other in others:
            if other in os.path.basename(dest) or f"/{other}/" in dest:
                error(f"{' '.join(config_opts)} still installs {dest}, which belongs to {other}")
    if f"/app/bin/{command}" not in installed:
        error(f"{' '.join(config_opts)} does not install /app/bin/{command}")
    for suffix in (f"applications/{app_id}.desktop", f"metainfo/{app_id}.metainfo.xml",
                   f"glib-2.0/schemas/{app_id}.gschema.xml"):
        if f"/app/share/{suffix}" not in installed:
            error(f"{' '.join(config_opts)} does not install /app/share/{suffix}")


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    builder, manifest = sys.argv[1], os.path.abspath(sys.argv[2])
    manifest_dir = os.path.dirname(manifest)

    # --show-manifest leaves a .flatpak-builder directory in the working
    # directory, so run it somewhere disposable.
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([builder, "--show-manifest", manifest], cwd=tmp,
                              capture_output=True, text=True)
    if proc.returncode != 0:
        error(f"flatpak-builder --show-manifest failed ({proc.returncode}):\n{proc.stderr}")
    elif proc.stderr.strip():
        error(f"flatpak-builder --show-manifest warned:\n{proc.stderr}")

    with open(manifest, encoding="utf-8") as f:
        data = json.load(f)

    app_id = os.path.basename(manifest)[: -len(".json")]
    if data.get("id", data.get("app-id")) != app_id:
        error(f"id must be {app_id}, the manifest's file name")
    if data.get("runtime") != "org.gnome.Platform" or data.get("sdk") != "org.gnome.Sdk":
        error("runtime and sdk must be org.gnome.Platform and org.gnome.Sdk")
    if not data.get("command"):
        error("command is missing")

    for arg in data.get("finish-args", []):
        if arg.startswith("--filesystem") or arg in ("--socket=x11", "--device=all",
                                                     "--socket=session-bus",
                                                     "--socket=system-bus"):
            error(f"finish-arg {arg} gives the sandbox more than the app needs")

    names = []
    modules = data.get("modules", [])
    walk_modules(modules, manifest_dir, names)
    if "libpq" in names or "postgresql" in names:
        error("libpq is only needed by the server, which is not a Flatpak")

    last = modules[-1] if modules and isinstance(modules[-1], dict) else {}
    sources = last.get("sources", [])
    if (last.get("buildsystem") != "meson" or len(sources) != 1
            or sources[0].get("type") != "dir"):
        error("the last module must build this project with meson from a dir source")
    else:
        root = os.path.normpath(os.path.join(manifest_dir, sources[0].get("path", "")))
        try:
            with open(os.path.join(root, "meson.build"), encoding="utf-8") as f:
                if "project('intake'" not in f.read():
                    error(f"{root}/meson.build is not this project's")
        except OSError as e:
            error(f"the project's dir source {root} has no meson.build: {e}")
        else:
            check_install_plan(root, last.get("config-opts", []), app_id, data.get("command", ""))
        if last.get("cleanup"):
            error("the project module needs no cleanup list: its meson options build this app only")

    for msg in errors:
        print(f"{os.path.basename(manifest)}: {msg}", file=sys.stderr)
    if not errors:
        print(f"{os.path.basename(manifest)}: ok ({', '.join(names)})")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
