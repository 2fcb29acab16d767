"""The revision of an AppSpec: its directory, or the artifact a buildspec of the repository packs it into.
Hook scripts and files sources are looked up where the build puts them."""

from __future__ import annotations

from pathlib import Path

from codeward.linters.engine import lint_file

APPSPEC = "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: {start}\n      timeout: 300\n"
FLATTENING = """version: 0.2
phases:
  build:
    commands: [mvn package]
artifacts:
  files:
    - target/*.jar
    - appspec.yml
    - scripts/*
  discard-paths: yes
"""


def repo(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / ".git").mkdir(parents=True)
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def codes(path: Path) -> list[tuple[str, int, str]]:
    return [(f.code, f.line, str(f.severity)) for f in lint_file(str(path)).findings if f.code in ("CWA104", "CWA105")]


def test_a_flattening_build_puts_scripts_at_the_root(tmp_path: Path) -> None:
    root = repo(tmp_path, {"appspec.yml": APPSPEC.format(start="start.sh"), "buildspec.yml": FLATTENING,
                           "scripts/start.sh": "#!/bin/bash\n"})  # fmt: skip
    assert codes(root / "appspec.yml") == []


def test_a_flattening_build_loses_the_folder_the_appspec_names(tmp_path: Path) -> None:
    root = repo(tmp_path, {"appspec.yml": APPSPEC.format(start="scripts/start.sh"), "buildspec.yml": FLATTENING,
                           "scripts/start.sh": "#!/bin/bash\n"})  # fmt: skip
    findings = lint_file(str(root / "appspec.yml")).findings
    assert [(f.code, f.line, f.column) for f in findings if f.code == "CWA104"] == [("CWA104", 5, 17)]
    assert any("it holds start.sh" in note for f in findings for note in f.notes)


def test_without_a_build_the_appspec_directory_is_the_revision(tmp_path: Path) -> None:
    root = repo(tmp_path, {"appspec.yml": APPSPEC.format(start="start.sh"), "scripts/start.sh": "#!/bin/bash\n"})
    assert codes(root / "appspec.yml") == [("CWA104", 5, "error")]


def test_base_directory_makes_a_folder_the_revision(tmp_path: Path) -> None:
    buildspec = "version: 0.2\nphases:\n  build:\n    commands: [npm ci]\nartifacts:\n  files: ['**/*']\n  base-directory: backend\n"
    root = repo(tmp_path, {"backend/appspec.yml": APPSPEC.format(start="scripts/start.sh"), "buildspec.yml": buildspec,
                           "backend/scripts/start.sh": "#!/bin/bash\n"})  # fmt: skip
    assert codes(root / "backend" / "appspec.yml") == []


def test_build_output_the_checkout_lacks_is_not_called_missing(tmp_path: Path) -> None:
    appspec = "version: 0.0\nos: linux\nfiles:\n  - source: app.jar\n    destination: /opt/app\n"
    buildspec = FLATTENING.replace("target/*.jar", "target/app.jar")
    root = repo(tmp_path, {"appspec.yml": appspec, "buildspec.yml": buildspec})
    assert codes(root / "appspec.yml") == []


def test_windows_paths_are_case_insensitive(tmp_path: Path) -> None:
    appspec = "version: 0.0\nos: windows\nfiles:\n  - source: .\\Build\n    destination: c:\\inetpub\\wwwroot\n"
    root = repo(tmp_path, {"appspec.yml": appspec, "build/app.dll": "MZ"})
    assert codes(root / "appspec.yml") == []
    linux = repo(tmp_path / "linux", {"appspec.yml": appspec.replace("windows", "linux").replace(".\\Build", "Build"),
                                      "build/app.dll": "MZ"})  # fmt: skip
    assert ("CWA105", 4, "warning") in codes(linux / "appspec.yml")


# A build that assembles the revision itself: it renders start.sh and copies the jar into the AppSpec's folder,
# then zips that folder (erwanjouan/aws-codepipeline-boot-2 does this; the validation set's v20).
RENDERING = """version: 0.2
phases:
  build:
    commands:
      - mvn package
  post_build:
    commands:
      - cp target/*.jar deploy/codedeploy/app.jar
      - envsubst < deploy/codedeploy/start.sh.template > deploy/codedeploy/start.sh
      - cd deploy/codedeploy/ && zip -r ../revision.zip . && cd ..
artifacts:
  files:
    - deploy/infra.yml
"""
RENDERED_APPSPEC = (
    "version: 0.0\nos: linux\nfiles:\n  - source: app.jar\n    destination: /opt/app\n"
    "hooks:\n  ApplicationStart:\n    - location: start.sh\n      timeout: 180\n"
)


def test_files_a_build_step_writes_are_not_called_missing(tmp_path: Path) -> None:
    root = repo(tmp_path, {"deploy/codedeploy/appspec.yml": RENDERED_APPSPEC, "deploy/buildspec.yml": RENDERING,
                           "deploy/codedeploy/start.sh.template": "java -jar app.jar\n"})  # fmt: skip
    assert codes(root / "deploy" / "codedeploy" / "appspec.yml") == []


def test_without_the_step_that_writes_it_the_script_is_missing(tmp_path: Path) -> None:
    buildspec = RENDERING.replace(
        "      - envsubst < deploy/codedeploy/start.sh.template > deploy/codedeploy/start.sh\n", ""
    )
    root = repo(tmp_path, {"deploy/codedeploy/appspec.yml": RENDERED_APPSPEC, "deploy/buildspec.yml": buildspec,
                           "deploy/codedeploy/start.sh.template": "java -jar app.jar\n"})  # fmt: skip
    assert codes(root / "deploy" / "codedeploy" / "appspec.yml") == [("CWA104", 8, "error")]


def test_what_build_commands_write() -> None:
    from codeward.linters.revision import written_names

    commands = [
        "envsubst < a.template > out/start.sh",
        "echo done >> log.txt 2>/dev/null",
        'echo "build -> done: ok"',  # a quoted arrow is no redirection
        "cp -r scripts dist/ && mv build/app.war ROOT.war",
        "sudo install -m 755 bin/tool /usr/local/bin/tool",
        "cp target/*.jar dist/",  # a glob into a folder names no file, but the folder exists afterwards
        "docker build -t app . 2>&1",
        "mkdir -p bundle/target",  # a folder the build makes
    ]
    names = written_names({"phases": {"build": {"commands": commands}}})
    assert names == {"start.sh", "log.txt", "scripts", "app.war", "ROOT.war", "tool", "dist", "target"}


# The artifact takes the whole source (`**/*`) and ships after_install.sh at its root; the AppSpec names
# scripts/after_install.sh (the validation set's v65). A file of that name is in the artifact at another path,
# and no build step writes or moves one: the location is wrong, not build output the checkout lacks.
WHOLE_SOURCE = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo nothing to build\nartifacts:\n  files:\n    - '**/*'\n"


def test_a_script_the_artifact_ships_elsewhere_is_missing(tmp_path: Path) -> None:
    appspec = APPSPEC.format(start="scripts/after_install.sh")
    root = repo(tmp_path, {"appspec.yml": appspec, "buildspec.yml": WHOLE_SOURCE, "after_install.sh": "#!/bin/bash\n"})
    findings = lint_file(str(root / "appspec.yml")).findings
    assert [(f.code, f.line, f.column, str(f.severity)) for f in findings if f.code == "CWA104"] == [
        ("CWA104", 5, 17, "error")
    ]
    assert any("it holds after_install.sh" in note for f in findings for note in f.notes)


def test_a_script_a_build_step_moves_into_place_is_not_missing(tmp_path: Path) -> None:
    appspec = APPSPEC.format(start="scripts/after_install.sh")
    buildspec = WHOLE_SOURCE.replace("echo nothing to build", "mkdir -p scripts && cp after_install.sh scripts/")
    root = repo(tmp_path, {"appspec.yml": appspec, "buildspec.yml": buildspec, "after_install.sh": "#!/bin/bash\n"})
    assert codes(root / "appspec.yml") == []


def test_a_local_virtual_environment_is_not_part_of_the_revision(tmp_path: Path) -> None:
    # A checkout's .venv and tools' caches are not committed, so CodeBuild never sees them: a script of the hook's
    # name found only there says nothing about where the artifact ships it (scanning them also cost a second per
    # AppSpec). Without them, the script is what the build (`make`) may produce: not called missing, as above.
    appspec = APPSPEC.format(start="scripts/after_install.sh")
    building = WHOLE_SOURCE.replace("echo nothing to build", "make")
    root = repo(tmp_path, {"appspec.yml": appspec, "buildspec.yml": building,
                           ".venv/scripts/after_install.sh": "#!/bin/bash\n",
                           "__pycache__/after_install.sh": "#!/bin/bash\n"})  # fmt: skip
    assert codes(root / "appspec.yml") == []


def test_a_build_that_only_prints_makes_no_hook_script(tmp_path: Path) -> None:
    # Every command of the buildspec is an echo: the artifact `**/*` holds the checkout's files and nothing else,
    # so a hook script the repository does not have is missing, although the pattern could match it.
    appspec = APPSPEC.format(start="scripts/after_install.sh")
    root = repo(tmp_path, {"appspec.yml": appspec, "buildspec.yml": WHOLE_SOURCE})
    assert [(f.code, f.line) for f in lint_file(str(root / "appspec.yml")).findings] == [("CWA104", 5)]


def test_the_note_names_at_most_three_files_of_the_scripts_name(tmp_path: Path) -> None:
    appspec = APPSPEC.format(start="scripts/after_install.sh")
    copies = {f"{folder}/after_install.sh": "#!/bin/bash\n" for folder in ("a", "b", "c", "d")}
    root = repo(tmp_path, {"appspec.yml": appspec, "buildspec.yml": WHOLE_SOURCE, **copies})
    (finding,) = [f for f in lint_file(str(root / "appspec.yml")).findings if f.code == "CWA104"]
    assert finding.notes == (
        "The revision is the artifact buildspec.yml builds; "
        "it holds a/after_install.sh, b/after_install.sh, c/after_install.sh.",
    )


WORKFLOW = """on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: pick the AppSpec
        run: mv ./appspecs/appspec-prod.yml ./appspec.yml
      - run: aws deploy push --application-name app --s3-location s3://bucket/app.zip --source .
"""


def test_a_workflow_that_moves_the_appspec_to_the_root(tmp_path: Path) -> None:
    # The hook paths are relative to where the workflow puts the AppSpec (the root), not to appspecs/.
    files = {"appspecs/appspec-prod.yml": APPSPEC.format(start="scripts/start.sh"), "scripts/start.sh": "#!/bin/sh\n",
             ".github/workflows/deploy.yml": WORKFLOW}  # fmt: skip
    root = repo(tmp_path, files)
    assert codes(root / "appspecs" / "appspec-prod.yml") == []
    # Without the move the same AppSpec names a script its folder lacks.
    (root / ".github" / "workflows" / "deploy.yml").write_text(WORKFLOW.replace("mv ./appspecs", "cat ./appspecs"))
    assert codes(root / "appspecs" / "appspec-prod.yml") == [("CWA104", 5, "error")]


def test_a_ci_job_that_copies_scripts_into_the_revision_with_a_glob(tmp_path: Path) -> None:
    # CircleCI copies codedeploy/*.sh next to the AppSpec before zipping: the scripts are build output.
    circle = "version: 2.1\njobs:\n  build:\n    steps:\n      - run:\n          command: |\n" \
             "            cp codedeploy/*.sh .\n            zip -r app.zip webapp *.sh *.yml\n"  # fmt: skip
    files = {"appspec.yml": APPSPEC.format(start="./start.sh"), "codedeploy/start.sh": "#!/bin/sh\n",
             ".circleci/config.yml": circle}  # fmt: skip
    root = repo(tmp_path, files)
    assert codes(root / "appspec.yml") == []
    (root / ".circleci" / "config.yml").write_text(circle.replace("codedeploy/*.sh", "codedeploy/*.py"))
    assert codes(root / "appspec.yml") == [("CWA104", 5, "error")]


def test_a_build_that_copies_a_folder_next_to_the_appspec(tmp_path: Path) -> None:
    # The buildspec copies bin/ and the AppSpec into the folder it makes the artifact's root: bin/codedeploy/*.sh
    # are there at build time, which the checkout does not show.
    buildspec = (
        "version: 0.2\nphases:\n  build:\n    commands:\n      - npm run build\n"
        "      - cp -ra ./bin/ ./dist/app/\n      - cp -ra ./aws/appspec.yml ./dist/app/\n"
        "artifacts:\n  files: ['**/*']\n  base-directory: dist/app\n"
    )
    files = {"aws/appspec.yml": APPSPEC.format(start="bin/codedeploy/start.sh"), "aws/buildspec.yml": buildspec,
             "bin/codedeploy/start.sh": "#!/bin/sh\n"}  # fmt: skip
    root = repo(tmp_path, files)
    assert codes(root / "aws" / "appspec.yml") == []
    (root / "aws" / "buildspec.yml").write_text(buildspec.replace("./bin/", "./lib/"))
    assert codes(root / "aws" / "appspec.yml") == [("CWA104", 5, "error")]


SOURCED = "version: 0.0\nos: linux\nfiles:\n  - source: {source}\n    destination: /app\n"


def test_a_folder_a_ci_job_makes_in_the_bundle_is_not_called_missing(tmp_path: Path) -> None:
    # fresh2 g2: the workflow makes deployment/target and copies the jar into it, then zips deployment/ with the
    # AppSpec: the files source `target` exists in the revision, not in the checkout.
    workflow = (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n"
        "          mkdir -p deployment/target\n          cp -r codedeploy/* deployment/\n"
        "          cp target/app.jar deployment/target/\n          zip -r bundle.zip deployment\n"
    )
    files = {"codedeploy/appspec.yml": SOURCED.format(source="target"), ".github/workflows/deploy.yml": workflow}
    root = repo(tmp_path, files)
    assert codes(root / "codedeploy" / "appspec.yml") == []
    # Without the folder the job makes, the source names nothing.
    (root / ".github" / "workflows" / "deploy.yml").write_text(
        workflow.replace("mkdir -p deployment/target\n", "").replace("deployment/target/", "deployment/")
    )
    assert codes(root / "codedeploy" / "appspec.yml") == [("CWA105", 4, "warning")]


def test_travis_before_deploy_assembles_the_revision(tmp_path: Path) -> None:
    # fresh2 g27: Travis copies the jar next to the AppSpec in before_deploy and tars that folder.
    travis = (
        "language: java\nbefore_deploy:\n- cp -r codedeploy target\n- cp target/app-1.0.jar target/codedeploy\n"
        "- tar -czvf upload/app.tgz -C target/codedeploy .\n"
    )
    files = {"codedeploy/appspec.yml": SOURCED.format(source="./app-1.0.jar"), ".travis.yml": travis}
    root = repo(tmp_path, files)
    assert codes(root / "codedeploy" / "appspec.yml") == []
    (root / ".travis.yml").write_text(travis.replace("before_deploy", "deploy_notes"))
    assert codes(root / "codedeploy" / "appspec.yml") == [("CWA105", 4, "warning")]


DEPLOY_SH = """#!/bin/bash
set -e
package_dir=$(mktemp -d)
cp app/target/app.jar "$package_dir/"
cp app/appspec.yml "$package_dir/"
cp -r scripts/ "$package_dir/"
(cd "$package_dir" && zip -r ../deploy-package.zip .)
aws s3 cp deploy-package.zip "s3://$BUCKET/app.zip"
"""


def test_a_deploy_script_that_assembles_the_revision(tmp_path: Path) -> None:
    # deploy.sh copies the AppSpec from app/ and the repository's scripts/ into one folder: the hook script is
    # in the revision although app/scripts/ does not exist.
    files = {"app/appspec.yml": APPSPEC.format(start="scripts/start.sh"), "scripts/start.sh": "#!/bin/bash\n"}
    root = repo(tmp_path, {**files, "deploy.sh": DEPLOY_SH})
    assert codes(root / "app" / "appspec.yml") == []
    # A script that does not name the AppSpec assembles nothing of it: the location is judged as before.
    root = repo(tmp_path / "other", {**files, "deploy.sh": DEPLOY_SH.replace("appspec.yml", "app.conf")})
    assert codes(root / "app" / "appspec.yml") == [("CWA104", 5, "error")]


def test_another_repository_cloned_inside_is_not_part_of_the_revision(tmp_path: Path) -> None:
    # A checkout that holds other repositories (bench/out/realworld/checkouts/*, a cloned dependency): their
    # buildspecs pack nothing of this repository. Read, the nested flattening buildspec would call the AppSpec's
    # scripts/start.sh missing; and every nested file would be scanned for every AppSpec.
    root = repo(tmp_path, {"appspec.yml": APPSPEC.format(start="scripts/start.sh"),
                           "scripts/start.sh": "#!/bin/bash\n",
                           "out/checkouts/other/buildspec.yml": FLATTENING,
                           "out/checkouts/other/appspec.yml": APPSPEC.format(start="start.sh")})  # fmt: skip
    (root / "out" / "checkouts" / "other" / ".git").mkdir()
    assert codes(root / "appspec.yml") == []
    # The same folder without its .git is part of this repository: its buildspec is read.
    (root / "out" / "checkouts" / "other" / ".git").rmdir()
    assert codes(root / "appspec.yml") == [("CWA104", 5, "error")]


def test_a_submodule_is_part_of_the_source(tmp_path: Path) -> None:
    # A submodule's .git is a file; CodeBuild can fetch submodules with the source, so its files still count.
    whole = "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files: ['**/*']\n"
    root = repo(tmp_path, {"appspec.yml": APPSPEC.format(start="lib/stop.sh"), "buildspec.yml": whole,
                           "lib/.git": "gitdir: ../.git/modules/lib\n", "lib/stop.sh": "#!/bin/bash\n"})  # fmt: skip
    from codeward.linters.revision import revision_for

    assert "lib/stop.sh" in revision_for(str(root / "appspec.yml"), str(root)).artifacts[0].names
    assert codes(root / "appspec.yml") == []
