#!/usr/bin/env python3
"""Regenerate reperes/territory/data/*.csv.gz from the official code list.

Source: INSEE Code officiel géographique (COG) as published by Etalab in the npm package
`@etalab/decoupage-administratif` (MIT licence), which adds La Poste postcodes and INSEE
population figures. Usage:

    python scripts/build_territory_data.py            # fetches the pinned version with `npm pack`
    python scripts/build_territory_data.py --from DIR # an unpacked package's data/ folder
"""

import argparse
import csv
import gzip
import io
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@etalab/decoupage-administratif@6.0.0"
OUT = Path(__file__).resolve().parent.parent / "reperes" / "territory" / "data"


def fetch(workdir: Path) -> Path:
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=workdir, check=True, capture_output=True)
    archive = next(workdir.glob("*.tgz"))
    with tarfile.open(archive) as tar:
        tar.extractall(workdir, filter="data")
    return workdir / "package" / "data"


def write(name: str, header: list[str], rows: list[list[object]]) -> None:
    # mtime=0 keeps the file byte-identical between runs on the same input.
    with open(OUT / name, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        text = gz_text(header, rows)
        gz.write(text.encode("utf-8"))
    print(f"{name}: {len(rows)} rows")


def gz_text(header: list[str], rows: list[list[object]]) -> str:

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def build(data: Path) -> None:
    load = lambda name: json.loads((data / name).read_text(encoding="utf-8"))  # noqa: E731
    write("regions.csv.gz", ["code", "name"], [[r["code"], r["nom"]] for r in load("regions.json")])
    write(
        "departements.csv.gz",
        ["code", "name", "region"],
        [[d["code"], d["nom"], d["region"]] for d in load("departements.json")],
    )
    epci_of: dict[str, str] = {}
    epcis = []
    for e in load("epci.json"):
        epcis.append([e["code"], e["nom"], e["type"]])
        for member in e["membres"]:
            epci_of[member["code"]] = e["code"]
    write("epcis.csv.gz", ["code", "name", "kind"], epcis)
    communes = [
        [
            c["code"],
            c["nom"],
            " ".join(c.get("codesPostaux", [])),
            c["departement"],
            c.get("arrondissement", ""),
            c["region"],
            epci_of.get(c["code"], ""),
            c.get("population", ""),
        ]
        for c in load("communes.json")
        if c["type"] == "commune-actuelle"
    ]
    write(
        "communes.csv.gz",
        ["code", "name", "postcodes", "departement", "arrondissement", "region", "epci", "population"],
        communes,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="source", type=Path, help="folder holding communes.json etc.")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.source:
        build(args.source)
        return
    with tempfile.TemporaryDirectory() as tmp:
        build(fetch(Path(tmp)))


if __name__ == "__main__":
    main()
