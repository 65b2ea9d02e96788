# Used by `sam build` (BuildMethod: makefile in template.yaml): package the skill for Lambda (arm64,
# Python 3.13) with only what the function imports.
LAMBDA_PACKAGES = catalog intents skill models

build-SkillFunction:
	cp -r $(LAMBDA_PACKAGES) "$(ARTIFACTS_DIR)/"
	python3 -m pip install --quiet --requirement requirements-lambda.txt --target "$(ARTIFACTS_DIR)" \
		--platform manylinux2014_aarch64 --implementation cp --python-version 3.13 --only-binary=:all:
