# tests.mk: `make test`: builds the unit tests into $(BUILD)/tests/unit/ and runs every suite (tests/run.sh).
.PHONY: unit-tests
test: all unit-tests
	$(Q)BUILD=$(BUILD) tests/run.sh
