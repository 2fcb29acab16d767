"""Package layout only (metadata is in pyproject.toml): the top-level folders install under `codeward`."""

from setuptools import find_packages, setup

PARTS = ("linters", "reviewer", "profiler", "schemas")

packages = find_packages(include=["codeward", "codeward.*"])
for part in PARTS:
    packages += [f"codeward.{name}" for name in find_packages(include=[part, f"{part}.*"])]

setup(packages=packages, package_dir={"codeward": "codeward", **{f"codeward.{part}": part for part in PARTS}})
