#!/usr/bin/env python3
"""Writes the assistant's development corpus: tests/nl/dev.jsonl and tests/nl/held.jsonl.

Written by category (the intents of the evaluation, plus the kinds the held-out report named:
synonyms, regional forms, politeness, slips, exclusions, structure, refusals), in Spanish and
English, on two fixtures of our own (fixtures/casa.json, fixtures/home.json). Each category
has phrase templates; a template's verb slot takes every form of the verb its wrapper needs
(imperative tú/usted/vos, infinitive after "¿puedes…?", English imperative); names come from
the fixture. Every fifth template is held out: its cases go to held.jsonl,
were written before the engine's answers were looked at, and are never tuned on (only their
figure is read). Deterministic: the same file comes out every run.

    python3 tests/nl/generate.py && atajo eval tests/nl/dev.jsonl && atajo eval tests/nl/held.jsonl
"""

import base64
import gzip
import io
import json
import random
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PER_TEMPLATE = 18  # cases drawn from each template's combinations at most


def targz(members: dict[str, str]) -> str:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tf:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 1709294400, 0o644
            tf.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        gz.write(raw.getvalue())
    return base64.b64encode(out.getvalue()).decode()


def fixture(name, desc, files, dirs, archive):
    entries = [{"path": d, "type": "dir"} for d in dirs]
    for path, spec in files.items():
        e = {"path": path}
        if isinstance(spec, int):
            e["size"] = spec
        elif isinstance(spec, tuple):
            e["content"], e["exec"] = spec[0], True
        else:
            e["content"] = spec
        entries.append(e)
    entries.append({"path": archive[0], "base64": targz(archive[1])})
    return {"name": name, "description": desc, "mtime": "2024-03-01T12:00:00Z", "entries": entries}


CASA = fixture(
    "casa", "Una carpeta personal: notas, datos, documentos, fotos, logs y scripts.",
    {
        "notas.txt": "comprar pan\nllamar a Ana\npagar el alquiler\nregar las plantas\ncomprar pan\n",
        "todo.txt": "terminar el informe\nenviar la factura\nrevisar el correo\n",
        "README.md": "# Casa\n\nCarpeta de ejemplo.\n",
        "datos.csv": "nombre,ciudad\nAna,Madrid\nLuis,Sevilla\nEva,Madrid\n",
        "informe.pdf": 2048,
        "presupuesto.xlsx": 4096,
        "instalar.sh": "echo instalando\n",
        "lanzar.sh": ("echo lanzando\n",),
        ".env": "CLAVE=secreta\n",
        "docs/guia.md": "# Guía\nPasos para empezar.\n",
        "docs/manual.txt": "Manual de uso\nCapítulo uno\n",
        "src/main.py": "# TODO: limpiar\nprint('hola')\n",
        "src/util.py": "def suma(a, b):\n    return a + b\n",
        "logs/app.log": "INFO arranque\nERROR fallo de disco\nINFO listo\nERROR sin red\nINFO fin\n",
        "logs/error.log": "ERROR fallo de disco\nERROR sin red\n",
        "fotos/playa.jpg": 30000,
        "fotos/cena.png": 5000,
        "viejo/antiguo.txt": "cosas viejas\n",
        "musica/cancion.mp3": 10000,
    },
    ["tmp"],
    ("paquete.tar.gz", {"paquete/leeme.txt": "hola desde el paquete\n"}),
)

HOME = fixture(
    "home", "A personal folder: notes, data, documents, photos, logs and scripts.",
    {
        "notes.txt": "buy bread\ncall Ann\npay the rent\nwater the plants\nbuy bread\n",
        "todo.txt": "finish the report\nsend the invoice\ncheck the mail\n",
        "README.md": "# Home\n\nSample folder.\n",
        "data.csv": "name,city\nAnn,London\nLuis,Paris\nEve,London\n",
        "report.pdf": 2048,
        "budget.xlsx": 4096,
        "install.sh": "echo installing\n",
        "launch.sh": ("echo launching\n",),
        ".env": "KEY=secret\n",
        "docs/guide.md": "# Guide\nSteps to start.\n",
        "docs/manual.txt": "User manual\nChapter one\n",
        "src/main.py": "# TODO: clean up\nprint('hello')\n",
        "src/util.py": "def add(a, b):\n    return a + b\n",
        "logs/app.log": "INFO start\nERROR disk failure\nINFO ready\nERROR no network\nINFO end\n",
        "logs/error.log": "ERROR disk failure\nERROR no network\n",
        "photos/beach.jpg": 30000,
        "photos/dinner.png": 5000,
        "old/ancient.txt": "old stuff\n",
        "music/song.mp3": 10000,
    },
    ["tmp"],
    ("bundle.tar.gz", {"bundle/readme.txt": "hello from the bundle\n"}),
)

# Verb forms by action: imperative (tú / you), usted, voseo, infinitive.
ES_VERBS = {
    "create": {"imp": ["crea", "genera"], "ud": ["cree", "genere"], "vos": ["creá", "generá"], "inf": ["crear", "generar"]},
    "delete": {"imp": ["borra", "elimina", "suprime"], "ud": ["borre", "elimine"], "vos": ["borrá", "eliminá"], "inf": ["borrar", "eliminar"]},
    "copy": {"imp": ["copia"], "ud": ["copie"], "vos": ["copiá"], "inf": ["copiar"]},
    "move": {"imp": ["mueve", "pasa", "lleva", "traslada"], "ud": ["mueva", "pase", "lleve"], "vos": ["mové", "pasá", "llevá"], "inf": ["mover", "pasar", "llevar", "trasladar"]},
    "rename": {"imp": ["renombra"], "ud": ["renombre"], "vos": ["renombrá"], "inf": ["renombrar"]},
    "show": {"imp": ["muestra", "enseña"], "ud": ["muestre", "enseñe"], "vos": ["mostrá", "enseñá"], "inf": ["mostrar", "ver"]},
    "list": {"imp": ["lista", "muestra"], "ud": ["liste", "muestre"], "vos": ["listá", "mostrá"], "inf": ["listar", "ver"]},
    "find": {"imp": ["busca", "encuentra", "localiza"], "ud": ["busque", "encuentre"], "vos": ["buscá", "encontrá"], "inf": ["buscar", "encontrar"]},
    "count": {"imp": ["cuenta"], "ud": ["cuente"], "vos": ["contá"], "inf": ["contar"]},
    "compress": {"imp": ["comprime", "empaqueta"], "ud": ["comprima"], "vos": ["comprimí"], "inf": ["comprimir"]},
    "extract": {"imp": ["descomprime", "extrae"], "ud": ["descomprima", "extraiga"], "vos": ["descomprimí"], "inf": ["descomprimir", "extraer"]},
    "sort": {"imp": ["ordena"], "ud": ["ordene"], "vos": ["ordená"], "inf": ["ordenar"]},
    "replace": {"imp": ["cambia", "reemplaza", "sustituye"], "ud": ["cambie", "reemplace"], "vos": ["cambiá"], "inf": ["cambiar", "reemplazar"]},
    "write": {"imp": ["escribe"], "ud": ["escriba"], "vos": ["escribí"], "inf": ["escribir"]},
    "add": {"imp": ["añade", "agrega"], "ud": ["añada", "agregue"], "vos": ["agregá"], "inf": ["añadir", "agregar"]},
    "cd": {"imp": ["entra en", "ve a"], "ud": ["entre en", "vaya a"], "vos": ["entrá en", "andá a"], "inf": ["entrar en", "ir a"]},
}
ES_WRAP = [("{}", "imp"), ("por favor, {}", "imp"), ("{}, por favor", "imp"), ("oye, {}", "imp"),
           ("¿puedes {}?", "inf"), ("quiero {}", "inf"), ("necesito {}", "inf"), ("por favor, {}", "ud"),
           ("{}", "vos"), ("¿me podrías {}?", "inf")]

EN_VERBS = {
    "create": {"imp": ["create", "make"]},
    "delete": {"imp": ["delete", "remove", "erase", "get rid of"]},
    "copy": {"imp": ["copy"]},
    "move": {"imp": ["move", "transfer"]},
    "rename": {"imp": ["rename"]},
    "show": {"imp": ["show", "display", "print"]},
    "list": {"imp": ["list", "show"]},
    "find": {"imp": ["find", "search for", "look for", "locate"]},
    "count": {"imp": ["count"]},
    "compress": {"imp": ["compress", "pack"]},
    "extract": {"imp": ["extract", "unpack"]},
    "sort": {"imp": ["sort"]},
    "replace": {"imp": ["replace"]},
    "write": {"imp": ["write"]},
    "add": {"imp": ["add", "append"]},
    "cd": {"imp": ["go to", "go into", "enter"]},
}
EN_WRAP = [("{}", "imp"), ("please {}", "imp"), ("{} please", "imp"), ("can you {}?", "imp"),
           ("could you {}?", "imp"), ("I want to {}", "imp"), ("I need you to {}", "imp"),
           ("hey, {}", "imp"), ("{}, thanks", "imp")]

# Names, by role, per language: (existing text files, existing folders, new folder names,
# new file names, files inside folders, words found in files).
NAMES = {
    "es": {
        "F": ["notas.txt", "todo.txt", "datos.csv", "README.md"],
        "D": ["docs", "src", "logs", "fotos", "viejo"],
        "N": ["proyectos", "facturas", "recetas", "clientes", "borradores", "entregas"],
        "NF": ["ideas.txt", "lista.md", "hoy.txt", "resumen.txt"],
        "IN": [("docs", "manual.txt"), ("docs", "guia.md"), ("logs", "error.log"), ("src", "util.py"), ("viejo", "antiguo.txt")],
        "W": [("notas.txt", "pan"), ("logs/app.log", "ERROR"), ("datos.csv", "Madrid"), ("src/main.py", "TODO"), ("todo.txt", "informe")],
        "KEEP": [("docs", "guia.md", "manual.txt"), ("logs", "error.log", "app.log"), ("fotos", "playa.jpg", "cena.png")],
        "T": ["hola mundo", "reunión el lunes", "todo listo"],
        "REP": [("datos.csv", "Madrid", "Barcelona"), ("notas.txt", "pan", "leche"), ("todo.txt", "correo", "buzón")],
        "TEXTDIRS": [("docs", 2), ("logs", 2), ("src", 2), ("fotos", 2)],
        "ARCH": "paquete.tar.gz", "ARCHDIR": "paquete", "SCRIPT": "instalar.sh", "EXEC": "lanzar.sh",
        "LOG": "logs/app.log",
    },
    "en": {
        "F": ["notes.txt", "todo.txt", "data.csv", "README.md"],
        "D": ["docs", "src", "logs", "photos", "old"],
        "N": ["projects", "invoices", "recipes", "clients", "drafts", "deliveries"],
        "NF": ["ideas.txt", "list.md", "today.txt", "summary.txt"],
        "IN": [("docs", "manual.txt"), ("docs", "guide.md"), ("logs", "error.log"), ("src", "util.py"), ("old", "ancient.txt")],
        "W": [("notes.txt", "bread"), ("logs/app.log", "ERROR"), ("data.csv", "London"), ("src/main.py", "TODO"), ("todo.txt", "report")],
        "KEEP": [("docs", "guide.md", "manual.txt"), ("logs", "error.log", "app.log"), ("photos", "beach.jpg", "dinner.png")],
        "T": ["hello world", "meeting on monday", "all done"],
        "REP": [("data.csv", "London", "Berlin"), ("notes.txt", "bread", "milk"), ("todo.txt", "mail", "inbox")],
        "TEXTDIRS": [("docs", 2), ("logs", 2), ("src", 2), ("photos", 2)],
        "ARCH": "bundle.tar.gz", "ARCHDIR": "bundle", "SCRIPT": "install.sh", "EXEC": "launch.sh",
        "LOG": "logs/app.log",
    },
}
NUM_WORDS = {"es": {2: "dos", 3: "tres", 4: "cuatro"}, "en": {2: "two", 3: "three", 4: "four"}}


def q(name: str) -> str:
    return name if all(c.isalnum() or c in "._-/" for c in name) else "'" + name.replace("'", "'\\''") + "'"


# Each template: (intent, phrase, expected commands, slots). A phrase's {V} is the verb of the
# template's action in the wrapper's form; "-" as the action: verbless, never wrapped.
# Slots are filled by `fills(lang, slots)`, which yields dicts of values.
def templates(lang: str):
    es = lang == "es"
    T = []
    def t(intent, action, phrase, expect, slots, **extra):
        T.append({"intent": intent, "action": action, "phrase": phrase, "expect": expect, "slots": slots, **extra})

    # create_dir
    if es:
        t("create_dir", "create", "{V} la carpeta {N}", ["mkdir {N}"], "N")
        t("create_dir", "create", "{V} una carpeta llamada {N}", ["mkdir {N}"], "N")
        t("create_dir", "create", "{V} un directorio nuevo que se llame {N}", ["mkdir {N}"], "N")
        t("create_dir", "create", "{V} las carpetas {N} y {N2}", ["mkdir {N} {N2}", "mkdir {N2} {N}"], "N N2")
        t("create_dir", "create", "{V} la carpeta {N} dentro de {D}", ["mkdir {D}/{N}"], "N D")
        t("create_dir", "create", "{V} una subcarpeta {N} en {D}", ["mkdir {D}/{N}"], "N D")
        t("create_dir", "-", "necesito una carpeta nueva llamada {N}", ["mkdir {N}"], "N")
        t("create_dir", "create", "{V} una carpeta para {N}", ["mkdir {N}"], "N")
    else:
        t("create_dir", "create", "{V} a folder called {N}", ["mkdir {N}"], "N")
        t("create_dir", "create", "{V} a new directory named {N}", ["mkdir {N}"], "N")
        t("create_dir", "create", "{V} the folder {N}", ["mkdir {N}"], "N")
        t("create_dir", "create", "{V} folders {N} and {N2}", ["mkdir {N} {N2}", "mkdir {N2} {N}"], "N N2")
        t("create_dir", "create", "{V} a folder {N} inside {D}", ["mkdir {D}/{N}"], "N D")
        t("create_dir", "create", "{V} a subfolder called {N} in {D}", ["mkdir {D}/{N}"], "N D")
        t("create_dir", "-", "I need a new folder called {N}", ["mkdir {N}"], "N")
        t("create_dir", "create", "{V} a directory {N}", ["mkdir {N}"], "N")
    # touch
    if es:
        t("touch", "create", "{V} un archivo {NF}", ["touch {NF}"], "NF")
        t("touch", "create", "{V} un archivo vacío llamado {NF}", ["touch {NF}"], "NF")
        t("touch", "create", "{V} el fichero {NF} en {D}", ["touch {D}/{NF}"], "NF D")
        t("touch", "create", "{V} un documento nuevo que se llame {NF}", ["touch {NF}"], "NF")
        t("touch", "create", "{V} el archivo {NF} dentro de la carpeta {D}", ["touch {D}/{NF}"], "NF D")
    else:
        t("touch", "create", "{V} a file called {NF}", ["touch {NF}"], "NF")
        t("touch", "create", "{V} an empty file named {NF}", ["touch {NF}"], "NF")
        t("touch", "create", "{V} the file {NF} in {D}", ["touch {D}/{NF}"], "NF D")
        t("touch", "create", "{V} a new file {NF}", ["touch {NF}"], "NF")
        t("touch", "create", "{V} a file {NF} inside the {D} folder", ["touch {D}/{NF}"], "NF D")
    # write_text / append
    if es:
        t("write_text", "write", "{V} '{T}' en {NF}", ["echo '{T}' > {NF}"], "T NF")
        t("write_text", "write", "{V} el texto \"{T}\" en el archivo {NF}", ["echo '{T}' > {NF}"], "T NF")
        t("write_text", "write", "{V} «{T}» en {NF}", ["echo '{T}' > {NF}"], "T NF")
        t("append", "add", "{V} la línea '{T}' al final de {F}", ["echo '{T}' >> {F}"], "T F")
        t("append", "add", "{V} '{T}' a {F}", ["echo '{T}' >> {F}"], "T F")
    else:
        t("write_text", "write", "{V} '{T}' to {NF}", ["echo '{T}' > {NF}"], "T NF")
        t("write_text", "write", "{V} the text \"{T}\" into the file {NF}", ["echo '{T}' > {NF}"], "T NF")
        t("write_text", "write", "{V} '{T}' in {NF}", ["echo '{T}' > {NF}"], "T NF")
        t("append", "add", "{V} the line '{T}' to the end of {F}", ["echo '{T}' >> {F}"], "T F")
        t("append", "add", "{V} '{T}' to {F}", ["echo '{T}' >> {F}"], "T F")
    # delete
    if es:
        t("delete_file", "delete", "{V} {F}", ["rm {F}"], "F")
        t("delete_file", "delete", "{V} el archivo {F}", ["rm {F}"], "F")
        t("delete_file", "delete", "{V} el fichero {IF} de la carpeta {ID}", ["rm {ID}/{IF}"], "IN")
        t("delete_file", "delete", "{V} {ID}/{IF}", ["rm {ID}/{IF}"], "IN")
        t("delete_file", "delete", "{V} el archivo {IF} que está en {ID}", ["rm {ID}/{IF}"], "IN")
        t("delete_dir", "delete", "{V} la carpeta {D}", ["rm -r {D}", "rm -rf {D}"], "D")
        t("delete_dir", "delete", "{V} el directorio {D} con todo lo que tiene", ["rm -r {D}", "rm -rf {D}"], "D")
        t("delete_dir", "delete", "{V} la carpeta vacía tmp", ["rmdir tmp", "rm -r tmp"], "")
        t("delete_dir", "delete", "{V} la carpeta {D} entera", ["rm -r {D}", "rm -rf {D}"], "D")
        t("delete_except", "delete", "{V} todos los archivos de {KD} menos {KK}", ["rm {KD}/{KX}"], "KEEP")
        t("delete_except", "delete", "{V} todo lo que hay en {KD} excepto {KK}", ["rm {KD}/{KX}"], "KEEP")
    else:
        t("delete_file", "delete", "{V} {F}", ["rm {F}"], "F")
        t("delete_file", "delete", "{V} the file {F}", ["rm {F}"], "F")
        t("delete_file", "delete", "{V} the file {IF} from the {ID} folder", ["rm {ID}/{IF}"], "IN")
        t("delete_file", "delete", "{V} {ID}/{IF}", ["rm {ID}/{IF}"], "IN")
        t("delete_file", "delete", "{V} {IF} in {ID}", ["rm {ID}/{IF}"], "IN")
        t("delete_dir", "delete", "{V} the {D} folder", ["rm -r {D}", "rm -rf {D}"], "D")
        t("delete_dir", "delete", "{V} the directory {D} and everything in it", ["rm -r {D}", "rm -rf {D}"], "D")
        t("delete_dir", "delete", "{V} the empty tmp folder", ["rmdir tmp", "rm -r tmp"], "")
        t("delete_dir", "delete", "{V} the whole {D} folder", ["rm -r {D}", "rm -rf {D}"], "D")
        t("delete_except", "delete", "{V} all the files in {KD} except {KK}", ["rm {KD}/{KX}"], "KEEP")
        t("delete_except", "delete", "{V} everything in {KD} but {KK}", ["rm {KD}/{KX}"], "KEEP")
    # copy
    if es:
        t("copy", "copy", "{V} {F} a {D}", ["cp {F} {D}/", "cp {F} {D}"], "F D")
        t("copy", "copy", "{V} {F} en la carpeta {D}", ["cp {F} {D}/"], "F D")
        t("copy", "-", "haz una copia de {F} en {D}", ["cp {F} {D}/"], "F D")
        t("copy", "copy", "{V} la carpeta {D} dentro de {D2}", ["cp -r {D} {D2}/"], "D D2")
        t("copy", "copy", "{V} {IF} de {ID} a la carpeta {D}", ["cp {ID}/{IF} {D}/"], "IN D")
    else:
        t("copy", "copy", "{V} {F} to {D}", ["cp {F} {D}/", "cp {F} {D}"], "F D")
        t("copy", "copy", "{V} {F} into the {D} folder", ["cp {F} {D}/"], "F D")
        t("copy", "-", "make a copy of {F} in {D}", ["cp {F} {D}/"], "F D")
        t("copy", "copy", "{V} the folder {D} into {D2}", ["cp -r {D} {D2}/"], "D D2")
        t("copy", "copy", "{V} {IF} from {ID} to the {D} folder", ["cp {ID}/{IF} {D}/"], "IN D")
    # move
    if es:
        t("move", "move", "{V} {F} a {D}", ["mv {F} {D}/"], "F D")
        t("move", "move", "{V} {F} a la carpeta {D}", ["mv {F} {D}/"], "F D")
        t("move", "move", "{V} el archivo {F} al directorio {D}", ["mv {F} {D}/"], "F D")
        t("move", "move", "{V} {IF} de {ID} a {D}", ["mv {ID}/{IF} {D}/"], "IN D")
        t("move", "-", "mete {F} en la carpeta {D}", ["mv {F} {D}/"], "F D")
        t("move_new", "move", "{V} {F} a una carpeta nueva llamada {N}", ["mkdir {N} && mv {F} {N}/"], "F N")
    else:
        t("move", "move", "{V} {F} to {D}", ["mv {F} {D}/"], "F D")
        t("move", "move", "{V} {F} into the {D} folder", ["mv {F} {D}/"], "F D")
        t("move", "move", "{V} the file {F} to the {D} directory", ["mv {F} {D}/"], "F D")
        t("move", "move", "{V} {IF} from {ID} to {D}", ["mv {ID}/{IF} {D}/"], "IN D")
        t("move", "-", "put {F} in the {D} folder", ["mv {F} {D}/"], "F D")
        t("move_new", "move", "{V} {F} into a new folder called {N}", ["mkdir {N} && mv {F} {N}/"], "F N")
    # rename
    if es:
        t("rename", "rename", "{V} {F} a {NF}", ["mv {F} {NF}"], "F NF")
        t("rename", "rename", "{V} {F} como {NF}", ["mv {F} {NF}"], "F NF")
        t("rename", "-", "cambia el nombre de {F} a {NF}", ["mv {F} {NF}"], "F NF")
        t("rename", "rename", "{V} la carpeta {D} a {N}", ["mv {D} {N}"], "D N")
        t("rename", "-", "ponle de nombre {NF} a {F}", ["mv {F} {NF}"], "F NF")
    else:
        t("rename", "rename", "{V} {F} to {NF}", ["mv {F} {NF}"], "F NF")
        t("rename", "rename", "{V} {F} as {NF}", ["mv {F} {NF}"], "F NF")
        t("rename", "-", "change the name of {F} to {NF}", ["mv {F} {NF}"], "F NF")
        t("rename", "rename", "{V} the folder {D} to {N}", ["mv {D} {N}"], "D N")
        t("rename", "-", "call {F} {NF} instead", ["mv {F} {NF}"], "F NF")
    # list
    if es:
        t("list", "list", "{V} la carpeta {D}", ["ls {D}"], "D")
        t("list", "-", "¿qué hay en {D}?", ["ls {D}"], "D")
        t("list", "list", "{V} el contenido de la carpeta {D}", ["ls {D}"], "D")
        t("list", "-", "¿qué archivos hay en la carpeta {D}?", ["ls {D}"], "D")
        t("list", "list", "{V} los archivos de aquí", ["ls"], "")
        t("list_hidden", "list", "{V} todos los archivos, incluidos los ocultos", ["ls -a", "ls -A"], "")
        t("list_hidden", "list", "{V} también los archivos ocultos", ["ls -a", "ls -A"], "")
    else:
        t("list", "list", "{V} the {D} folder", ["ls {D}"], "D")
        t("list", "-", "what's in {D}?", ["ls {D}"], "D")
        t("list", "list", "{V} the contents of the {D} directory", ["ls {D}"], "D")
        t("list", "-", "which files are in the {D} folder?", ["ls {D}"], "D")
        t("list", "list", "{V} the files here", ["ls"], "")
        t("list_hidden", "list", "{V} all files, including hidden ones", ["ls -a", "ls -A"], "")
        t("list_hidden", "list", "{V} the hidden files too", ["ls -a", "ls -A"], "")
    # show / head / tail
    if es:
        t("show_content", "show", "{V} {F}", ["cat {F}"], "F")
        t("show_content", "-", "¿qué pone en {F}?", ["cat {F}"], "F")
        t("show_content", "show", "{V} el contenido de {F}", ["cat {F}"], "F")
        t("show_content", "show", "{V} lo que hay dentro de {F}", ["cat {F}"], "F")
        t("show_content", "-", "lee {F}", ["cat {F}"], "F")
        t("head", "show", "{V} las primeras {n} líneas de {F}", ["head -n {num} {F}"], "F n")
        t("head", "show", "{V} las {n} primeras líneas de {F}", ["head -n {num} {F}"], "F n")
        t("tail", "show", "{V} las últimas {n} líneas de {LOG}", ["tail -n {num} {LOG}"], "n")
        t("tail", "show", "{V} las {n} últimas líneas del archivo {LOG}", ["tail -n {num} {LOG}"], "n")
    else:
        t("show_content", "show", "{V} {F}", ["cat {F}"], "F")
        t("show_content", "-", "what does {F} say?", ["cat {F}"], "F")
        t("show_content", "show", "{V} the contents of {F}", ["cat {F}"], "F")
        t("show_content", "show", "{V} what's inside {F}", ["cat {F}"], "F")
        t("show_content", "-", "read {F}", ["cat {F}"], "F")
        t("head", "show", "{V} the first {n} lines of {F}", ["head -n {num} {F}"], "F n")
        t("head", "show", "{V} the top {n} lines of {F}", ["head -n {num} {F}"], "F n")
        t("tail", "show", "{V} the last {n} lines of {LOG}", ["tail -n {num} {LOG}"], "n")
        t("tail", "show", "{V} the final {n} lines of the file {LOG}", ["tail -n {num} {LOG}"], "n")
    # counts
    if es:
        t("count_lines", "-", "¿cuántas líneas tiene {F}?", ["wc -l {F}", "wc -l < {F}"], "F")
        t("count_lines", "count", "{V} las líneas de {F}", ["wc -l {F}", "wc -l < {F}"], "F")
        t("count_lines", "-", "dime cuántas líneas hay en {F}", ["wc -l {F}", "wc -l < {F}"], "F")
        t("count_words", "count", "{V} las palabras de {F}", ["wc -w {F}", "wc -w < {F}"], "F")
        t("count_files", "-", "¿cuántos archivos hay en {TD}?", ["ls {TD} | wc -l", "find {TD} -type f | wc -l"], "TD")
    else:
        t("count_lines", "-", "how many lines does {F} have?", ["wc -l {F}", "wc -l < {F}"], "F")
        t("count_lines", "count", "{V} the lines in {F}", ["wc -l {F}", "wc -l < {F}"], "F")
        t("count_lines", "-", "tell me how many lines are in {F}", ["wc -l {F}", "wc -l < {F}"], "F")
        t("count_words", "count", "{V} the words in {F}", ["wc -w {F}", "wc -w < {F}"], "F")
        t("count_files", "-", "how many files are there in {TD}?", ["ls {TD} | wc -l", "find {TD} -type f | wc -l"], "TD")
    # search and find
    if es:
        t("search_text", "find", "{V} la palabra {WW} en {WF}", ["grep {WW} {WF}"], "W")
        t("search_text", "-", "¿qué líneas de {WF} contienen {WW}?", ["grep {WW} {WF}"], "W")
        t("search_text", "find", "{V} '{WW}' en {WF}", ["grep {WW} {WF}"], "W")
        t("search_text", "find", "{V} las líneas con {WW} en {WF}", ["grep {WW} {WF}"], "W")
        t("find_by_ext", "find", "{V} todos los archivos .{E}", ["find . -name '*.{E}'"], "E")
        t("find_by_ext", "-", "¿dónde están los archivos .{E}?", ["find . -name '*.{E}'"], "E")
        t("find_by_name", "find", "{V} el archivo {IF}", ["find . -name {IF}"], "IN")
        t("find_by_name", "-", "¿dónde está {IF}?", ["find . -name {IF}"], "IN")
    else:
        t("search_text", "find", "{V} the word {WW} in {WF}", ["grep {WW} {WF}"], "W")
        t("search_text", "-", "which lines of {WF} contain {WW}?", ["grep {WW} {WF}"], "W")
        t("search_text", "find", "{V} '{WW}' in {WF}", ["grep {WW} {WF}"], "W")
        t("search_text", "find", "{V} lines with {WW} in {WF}", ["grep {WW} {WF}"], "W")
        t("find_by_ext", "find", "{V} all the .{E} files", ["find . -name '*.{E}'"], "E")
        t("find_by_ext", "-", "where are the .{E} files?", ["find . -name '*.{E}'"], "E")
        t("find_by_name", "find", "{V} the file {IF}", ["find . -name {IF}"], "IN")
        t("find_by_name", "-", "where is {IF}?", ["find . -name {IF}"], "IN")
    # disk usage, archives, permissions
    if es:
        t("disk_usage", "-", "¿cuánto ocupa la carpeta {D}?", ["du -sh {D}"], "D")
        t("disk_usage", "-", "dime el tamaño de la carpeta {D}", ["du -sh {D}"], "D")
        t("compress", "compress", "{V} la carpeta {D} en {D}.tar.gz", ["tar -czf {D}.tar.gz {D}"], "D")
        t("compress", "compress", "{V} {D} en un zip", ["zip -r {D}.zip {D}"], "D", requires=["zip"])
        t("extract", "extract", "{V} {ARCH}", ["tar -xzf {ARCH}"], "")
        t("extract", "extract", "{V} el archivo {ARCH} en la carpeta {D}", ["tar -xzf {ARCH} -C {D}"], "D")
        t("permissions", "-", "dale permiso de ejecución a {SCRIPT}", ["chmod +x {SCRIPT}"], "")
        t("permissions", "-", "haz ejecutable {SCRIPT}", ["chmod +x {SCRIPT}"], "")
        t("permissions", "-", "quítale el permiso de ejecución a {EXEC}", ["chmod -x {EXEC}"], "")
    else:
        t("disk_usage", "-", "how much space does the {D} folder take?", ["du -sh {D}"], "D")
        t("disk_usage", "-", "tell me the size of the {D} folder", ["du -sh {D}"], "D")
        t("compress", "compress", "{V} the {D} folder into {D}.tar.gz", ["tar -czf {D}.tar.gz {D}"], "D")
        t("compress", "compress", "{V} {D} into a zip", ["zip -r {D}.zip {D}"], "D", requires=["zip"])
        t("extract", "extract", "{V} {ARCH}", ["tar -xzf {ARCH}"], "")
        t("extract", "extract", "{V} {ARCH} into the {D} folder", ["tar -xzf {ARCH} -C {D}"], "D")
        t("permissions", "-", "give {SCRIPT} execute permission", ["chmod +x {SCRIPT}"], "")
        t("permissions", "-", "make {SCRIPT} executable", ["chmod +x {SCRIPT}"], "")
        t("permissions", "-", "remove the execute permission from {EXEC}", ["chmod -x {EXEC}"], "")
    # navigation
    if es:
        t("cd", "cd", "{V} la carpeta {D}", ["cd {D}"], "D")
        t("cd", "cd", "{V} {D}", ["cd {D}"], "D")
        t("cd", "-", "sube un nivel", ["cd .."], "", cwd="D")
        t("cd", "-", "vuelve a la carpeta de arriba", ["cd .."], "", cwd="D")
        t("pwd", "-", "¿dónde estoy?", ["pwd"], "")
        t("pwd", "-", "¿en qué carpeta estoy?", ["pwd"], "")
        t("tree", "show", "{V} el árbol de carpetas", ["tree"], "", requires=["tree"])
        t("tree", "show", "{V} la estructura de {D}", ["tree {D}"], "D", requires=["tree"])
    else:
        t("cd", "cd", "{V} the {D} folder", ["cd {D}"], "D")
        t("cd", "cd", "{V} {D}", ["cd {D}"], "D")
        t("cd", "-", "go up one level", ["cd .."], "", cwd="D")
        t("cd", "-", "go back to the parent folder", ["cd .."], "", cwd="D")
        t("pwd", "-", "where am I?", ["pwd"], "")
        t("pwd", "-", "which folder am I in?", ["pwd"], "")
        t("tree", "show", "{V} the folder tree", ["tree"], "", requires=["tree"])
        t("tree", "show", "{V} the structure of {D}", ["tree {D}"], "D", requires=["tree"])
    # sort, replace
    if es:
        t("sort", "sort", "{V} las líneas de {F}", ["sort {F}"], "F")
        t("sort", "sort", "{V} {F} alfabéticamente", ["sort {F}"], "F")
        t("sort", "sort", "{V} {F} al revés", ["sort -r {F}"], "F")
        t("replace_text", "replace", "{V} {RA} por {RB} en {RF}", ["sed -i 's/{RA}/{RB}/g' {RF}"], "REP")
        t("replace_text", "replace", "{V} la palabra {RA} por {RB} en el archivo {RF}", ["sed -i 's/{RA}/{RB}/g' {RF}"], "REP")
    else:
        t("sort", "sort", "{V} the lines of {F}", ["sort {F}"], "F")
        t("sort", "sort", "{V} {F} alphabetically", ["sort {F}"], "F")
        t("sort", "sort", "{V} {F} in reverse order", ["sort -r {F}"], "F")
        t("replace_text", "replace", "{V} {RA} with {RB} in {RF}", ["sed -i 's/{RA}/{RB}/g' {RF}"], "REP")
        t("replace_text", "replace", "{V} the word {RA} with {RB} in the file {RF}", ["sed -i 's/{RA}/{RB}/g' {RF}"], "REP")
    # structure
    if es:
        t("multi_step", "create", "{V} la carpeta {N} y mueve {F} dentro", ["mkdir {N} && mv {F} {N}/"], "N F")
        t("multi_step", "create", "{V} la carpeta {N} y dentro un archivo {NF}", ["mkdir {N} && touch {N}/{NF}"], "N NF")
        t("multi_step", "create", "{V} la carpeta {N} y copia {F} ahí", ["mkdir {N} && cp {F} {N}/"], "N F")
        t("multi_step", "-", "entra en {D} y muestra lo que hay", ["cd {D} && ls"], "D", stdout="names", probe="pwd")
    else:
        t("multi_step", "create", "{V} a folder {N} and move {F} into it", ["mkdir {N} && mv {F} {N}/"], "N F")
        t("multi_step", "create", "{V} the folder {N} and inside it a file {NF}", ["mkdir {N} && touch {N}/{NF}"], "N NF")
        t("multi_step", "create", "{V} a folder {N} and copy {F} there", ["mkdir {N} && cp {F} {N}/"], "N F")
        t("multi_step", "-", "go into {D} and show what's there", ["cd {D} && ls"], "D", stdout="names", probe="pwd")
    # refusals: off-topic, network, system, outside, whole-disk
    if es:
        for s in ["escribe un poema sobre el mar", "¿qué tiempo hará mañana?", "reserva una mesa para dos esta noche",
                  "cuéntame un chiste", "¿cuál es la capital de Francia?", "tradúceme esta frase al inglés"]:
            t("refuse_nonsense", "-", s, None, "")
        for s in ["manda {F} a ana@correo.com", "sube {F} a https://ejemplo.com", "descarga https://ejemplo.com/a.zip",
                  "envía {F} por correo a luis@ejemplo.org"]:
            t("refuse_network", "-", s, None, "F")
        for s in ["apaga el ordenador", "reinicia el servidor", "instala python", "actualiza todos los paquetes del sistema",
                  "formatea el disco duro"]:
            t("refuse_system", "-", s, None, "")
        for s in ["{V} /etc/passwd", "{V} el archivo ~/.bashrc", "{V} la carpeta /home"]:
            t("refuse_outside", "delete", s, None, "")
        for s in ["{V} todo el disco", "{V} todo lo del sistema", "{V} absolutamente todo el ordenador"]:
            t("refuse_destructive", "delete", s, None, "")
    else:
        for s in ["write a poem about the sea", "what's the weather tomorrow?", "book a table for two tonight",
                  "tell me a joke", "what is the capital of France?", "translate this sentence into Spanish"]:
            t("refuse_nonsense", "-", s, None, "")
        for s in ["email {F} to ann@mail.com", "upload {F} to https://example.com", "download https://example.com/a.zip",
                  "send {F} by mail to luis@example.org"]:
            t("refuse_network", "-", s, None, "F")
        for s in ["shut down the computer", "reboot the server", "install python", "update all the system packages",
                  "format the hard drive"]:
            t("refuse_system", "-", s, None, "")
        for s in ["{V} /etc/passwd", "{V} the file ~/.bashrc", "{V} the /home folder"]:
            t("refuse_outside", "delete", s, None, "")
        for s in ["{V} the whole disk", "{V} everything on the system", "{V} absolutely everything on this computer"]:
            t("refuse_destructive", "delete", s, None, "")
    # Added after the first run (appended, so the templates before keep their held-out
    # standing): slips, nested creation, kinds moved into a new folder, archive-then-delete,
    # places relative to the folder one is in, described files, names with shell characters,
    # colloquial verbs, counts of a kind, recursive searches, sorted listings, emptying a
    # folder, read-only.
    if es:
        t("delete_file", "delete", "{V} {F}", ["rm {F}"], "F", typo=True)
        t("move", "move", "{V} {F} a {D}", ["mv {F} {D}/"], "F D", typo=True)
        t("create_dir", "create", "{V} la carpeta {N}", ["mkdir {N}"], "N", typo=True)
        t("create_dir", "create", "{V} la {NOUNTYPO} {N}", ["mkdir {N}"], "N NOUNTYPO")
        t("nested", "create", "{V} la carpeta {N}, dentro otra llamada {N2} y en esa un archivo {NF}",
          ["mkdir -p {N}/{N2} && touch {N}/{N2}/{NF}"], "N N2 NF")
        t("move_new", "move", "{V} los .txt de esta carpeta a una carpeta nueva llamada {N}", ["mkdir {N} && mv *.txt {N}/"], "N")
        t("compress", "compress", "{V} la carpeta {D} en {D}.tar.gz y borra la original", ["tar -czf {D}.tar.gz {D} && rm -r {D}"], "D")
        t("copy", "copy", "{V} {IF} a la carpeta de arriba", ["cp {IF} ../"], "IN", cwd="ID")
        t("move", "move", "{V} {IF} un nivel más arriba", ["mv {IF} ../"], "IN", cwd="ID")
        t("head", "-", "dame las {n} primeras líneas de {F}", ["head -n {num} {F}"], "F n")
        t("show_content", "show", "{V} el log de errores", ["cat logs/error.log"], "")
        t("show_content", "show", "{V} el manual", ["cat docs/manual.txt"], "")
        t("show_content", "show", "{V} la guía", ["cat docs/guia.md"], "")
        t("create_dir", "create", "{V} una carpeta llamada '{Q}'", ["mkdir {Qq}"], "Q")
        t("touch", "create", "{V} el archivo \"{Q}.txt\"", ["touch {Qtq}"], "Q")
        t("delete_file", "-", "deshazte de {F}", ["rm {F}"], "F")
        t("delete_file", "-", "tira {F} a la papelera", ["rm {F}"], "F")
        t("show_content", "-", "échale un vistazo a {F}", ["cat {F}"], "F")
        t("list", "-", "fijate qué hay en {D}", ["ls {D}"], "D")
        t("count_files", "-", "¿cuántos archivos .{E} hay?", ["find . -name '*.{E}' | wc -l"], "E")
        t("search_text", "find", "{V} {RWW} en todos los archivos de {RWD}", ["grep -r {RWW} {RWD}"], "RW")
        t("list_sorted", "list", "{V} los archivos de {SD} ordenados por tamaño", ["ls -S {SD}"], "SD")
        t("empty_dir", "-", "vacía la carpeta {D}", ["rm -r {D}/*"], "D")
        t("permissions", "-", "pon {F} de solo lectura", ["chmod a-w {F}"], "F", perm="full")
        t("permissions", "-", "haz que {F} sea de solo lectura", ["chmod a-w {F}"], "F", perm="full")
    else:
        t("delete_file", "delete", "{V} {F}", ["rm {F}"], "F", typo=True)
        t("move", "move", "{V} {F} to {D}", ["mv {F} {D}/"], "F D", typo=True)
        t("create_dir", "create", "{V} the folder {N}", ["mkdir {N}"], "N", typo=True)
        t("create_dir", "create", "{V} a {NOUNTYPO} called {N}", ["mkdir {N}"], "N NOUNTYPO")
        t("nested", "create", "{V} a folder {N}, inside it another called {N2}, and in that a file {NF}",
          ["mkdir -p {N}/{N2} && touch {N}/{N2}/{NF}"], "N N2 NF")
        t("move_new", "move", "{V} the .txt files here into a new folder called {N}", ["mkdir {N} && mv *.txt {N}/"], "N")
        t("compress", "compress", "{V} the {D} folder into {D}.tar.gz and delete the original", ["tar -czf {D}.tar.gz {D} && rm -r {D}"], "D")
        t("copy", "copy", "{V} {IF} to the parent folder", ["cp {IF} ../"], "IN", cwd="ID")
        t("move", "move", "{V} {IF} one level up", ["mv {IF} ../"], "IN", cwd="ID")
        t("head", "-", "give me the first {n} lines of {F}", ["head -n {num} {F}"], "F n")
        t("show_content", "show", "{V} the error log", ["cat logs/error.log"], "")
        t("show_content", "show", "{V} the manual", ["cat docs/manual.txt"], "")
        t("show_content", "show", "{V} the guide", ["cat docs/guide.md"], "")
        t("create_dir", "create", "{V} a folder named '{Q}'", ["mkdir {Qq}"], "Q")
        t("touch", "create", "{V} the file \"{Q}.txt\"", ["touch {Qtq}"], "Q")
        t("delete_file", "-", "ditch {F}", ["rm {F}"], "F")
        t("delete_file", "-", "trash {F}", ["rm {F}"], "F")
        t("show_content", "-", "take a look at {F}", ["cat {F}"], "F")
        t("list", "-", "peek into {D}", ["ls {D}"], "D")
        t("count_files", "-", "how many .{E} files are there?", ["find . -name '*.{E}' | wc -l"], "E")
        t("search_text", "find", "{V} {RWW} in all the files in {RWD}", ["grep -r {RWW} {RWD}"], "RW")
        t("list_sorted", "list", "{V} the files in {SD} sorted by size", ["ls -S {SD}"], "SD")
        t("empty_dir", "-", "empty the {D} folder", ["rm -r {D}/*"], "D")
        t("permissions", "-", "make {F} read-only", ["chmod a-w {F}"], "F", perm="full")
        t("permissions", "-", "set {F} to read only", ["chmod a-w {F}"], "F", perm="full")
    return T


def typo(verb: str) -> str:
    """One slip in the verb's first word: the first two neighbouring letters that differ, swapped."""
    word, _, rest = verb.partition(" ")
    for i in range(1, len(word) - 2):
        if word[i] != word[i + 1]:
            word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
            break
    return word + (" " + rest if rest else "")


def fills(lang, slots, rng):
    n = NAMES[lang]
    keys = slots.split()
    combos = [{}]
    for k in keys:
        new = []
        for c in combos:
            if k == "N":
                vals = [{"N": v} for v in n["N"]]
            elif k == "N2":
                vals = [{"N2": v} for v in n["N"] if v != c.get("N")][:2]
            elif k == "D":
                vals = [{"D": v} for v in n["D"] if v != c.get("ID")]
            elif k == "D2":
                vals = [{"D2": v} for v in n["D"] if v != c.get("D")][:2]
            elif k == "F":
                vals = [{"F": v} for v in n["F"]]
            elif k == "NF":
                vals = [{"NF": v} for v in n["NF"]]
            elif k == "T":
                vals = [{"T": v} for v in n["T"]]
            elif k == "IN":
                vals = [{"ID": d, "IF": f} for d, f in n["IN"]]
            elif k == "W":
                vals = [{"WF": f, "WW": w} for f, w in n["W"]]
            elif k == "KEEP":
                vals = [{"KD": d, "KK": keep, "KX": other} for d, keep, other in n["KEEP"]]
            elif k == "REP":
                vals = [{"RF": f, "RA": a, "RB": b} for f, a, b in n["REP"]]
            elif k == "TD":
                vals = [{"TD": d} for d, _ in n["TEXTDIRS"]]
            elif k == "E":
                vals = [{"E": e} for e in ["txt", "md", "py", "log", "jpg"]]
            elif k == "NOUNTYPO":
                vals = [{"NOUNTYPO": v} for v in (["carpteta", "capreta"] if lang == "es" else ["fodler", "flder"])]
            elif k == "Q":
                qs = ["informe & co", "a;b", "x|y", "notas $(date)"] if lang == "es" else ["report & co", "a;b", "x|y", "notes $(date)"]
                vals = [{"Q": v, "Qq": q(v), "Qtq": q(v + ".txt")} for v in qs]
            elif k == "RW":
                vals = [{"RWD": "logs", "RWW": "ERROR"}, {"RWD": "src", "RWW": "TODO"}]
            elif k == "SD":
                vals = [{"SD": d} for d in n["D"][:4] if d not in ("src",)]
            elif k == "n":
                vals = [{"n": str(x), "num": str(x)} for x in (2, 3)] + [{"n": NUM_WORDS[lang][x], "num": str(x)} for x in (2, 3, 4)]
            else:
                raise ValueError(k)
            for v in vals:
                new.append({**c, **v})
        combos = new
    return combos


def fmt(s, values):
    for k, v in sorted(values.items(), key=lambda kv: -len(kv[0])):
        s = s.replace("{" + k + "}", v)
    return s


def build(lang):
    verbs = ES_VERBS if lang == "es" else EN_VERBS
    wraps = ES_WRAP if lang == "es" else EN_WRAP
    fixture = "casa" if lang == "es" else "home"
    base = {"ARCH": NAMES[lang]["ARCH"], "SCRIPT": NAMES[lang]["SCRIPT"], "EXEC": NAMES[lang]["EXEC"], "LOG": NAMES[lang]["LOG"]}
    rng = random.Random(f"atajo-nl-{lang}")
    dev, held = [], []
    by_intent: dict[str, int] = {}
    for number, tpl in enumerate(templates(lang)):
        intent = tpl["intent"]
        index = by_intent.get(intent, 0)
        by_intent[intent] = index + 1
        out = held if number % 5 == 4 else dev
        phrasings = []
        if tpl["action"] == "-":
            phrasings.append(("{}", None))
        else:
            forms = verbs[tpl["action"]]
            for wrap, form in wraps:
                for v in forms.get(form, []):
                    phrasings.append((wrap, typo(v) if tpl.get("typo") else v))
        combos = []
        for wrap, verb in phrasings:
            for values in fills(lang, tpl["slots"], rng):
                combos.append((wrap, verb, values))
        rng.shuffle(combos)
        seen = set()
        for wrap, verb, values in combos:
            if len(seen) >= PER_TEMPLATE:
                break
            values = {**base, **values}
            if verb is not None:
                values["V"] = verb
            core = fmt(tpl["phrase"], values)
            text = wrap.format(core)
            text = text[0].upper() + text[1:] if rng.random() < 0.3 else text
            if text.lower() in seen:
                continue
            seen.add(text.lower())
            cwd = "."
            if tpl.get("cwd") == "D":
                cwd = rng.choice(NAMES[lang]["D"])
            elif tpl.get("cwd") == "ID":
                cwd = values["ID"]
            case = {"id": f"nl-{lang}-{intent}-{index:02d}-{len(seen):02d}", "lang": lang, "fixture": fixture,
                    "cwd": cwd, "nl": text,
                    "expect": None if tpl["expect"] is None else [fmt(e, values) for e in tpl["expect"]],
                    "intent": intent}
            for key in ("requires", "stdout", "probe", "perm"):
                if tpl.get(key):
                    case[key] = tpl[key]
            out.append(case)
    return dev, held


def main():
    (HERE / "fixtures").mkdir(exist_ok=True)
    for fx in (CASA, HOME):
        (HERE / "fixtures" / f"{fx['name']}.json").write_text(json.dumps(fx, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    dev, held = [], []
    for lang in ("es", "en"):
        d, h = build(lang)
        dev += d
        held += h
    for name, cases in (("dev", dev), ("held", held)):
        with open(HERE / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for c in cases:
                fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    count = lambda cs, l: sum(1 for c in cs if c["lang"] == l)
    print(f"dev: {count(dev, 'es')} es + {count(dev, 'en')} en; held: {count(held, 'es')} es + {count(held, 'en')} en")


if __name__ == "__main__":
    main()
