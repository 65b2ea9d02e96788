# Used by `sam build` (BuildMethod: makefile in template.yaml): package the skill for Lambda (arm64,
# Python 3.13) with only what the function imports.
LAMBDA_PACKAGES = catalog intents skill models
# The function's runtime (template.yaml), which compiles the package's bytecode. Lambda's /var/task is
# read-only, so a module shipped without a .pyc for that exact Python is compiled from source again on
# every cold start (importing the skill took ~2 s from source against ~0.5 s from bytecode, measured
# locally). pip would compile with the build machine's Python instead (another cache tag, which 3.13
# ignores), hence --no-compile. Without python3.13 on the PATH: `LAMBDA_PYTHON=/path/to/python3.13 sam
# build`, or `sam build --use-container`.
LAMBDA_PYTHON ?= python3.13

build-SkillFunction:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set: run 'sam build' (it sets it), or make ARTIFACTS_DIR=/some/empty/dir" >&2; exit 2; }
	@test "$$(cd "$(ARTIFACTS_DIR)" 2>/dev/null && pwd)" != / || { echo "ARTIFACTS_DIR must not be /" >&2; exit 2; }
	@$(LAMBDA_PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null \
		|| { echo "$(LAMBDA_PYTHON) is not a working Python 3.13: set LAMBDA_PYTHON or use 'sam build --use-container'" >&2; exit 1; }
	cp -r $(LAMBDA_PACKAGES) "$(ARTIFACTS_DIR)/"
	python3 -m pip install --quiet --no-compile --requirement requirements-lambda.txt --target "$(ARTIFACTS_DIR)" \
		--platform manylinux2014_aarch64 --implementation cp --python-version 3.13 --only-binary=:all:
	find "$(ARTIFACTS_DIR)" -name __pycache__ -type d -prune -exec rm -rf {} +
	$(LAMBDA_PYTHON) -W ignore::SyntaxWarning -m compileall -q -j 0 --invalidation-mode unchecked-hash "$(ARTIFACTS_DIR)"
