# sam build's entry point. Each function in template.yaml has `Metadata: BuildMethod: makefile` and
# `CodeUri: .`, so `sam build` copies this folder to a scratch folder and runs `make build-<LogicalId>`
# there with ARTIFACTS_DIR set; whatever the target leaves in ARTIFACTS_DIR becomes the function's zip.
#
# The Java build itself is Maven's (scripts/build): SAM's own Maven builder cannot build a module that
# needs its parent POM and sibling modules. Each target puts the flow's shaded jar, as Maven built it,
# into ARTIFACTS_DIR/lib/, which Lambda's Java runtime puts on the classpath: the zip holds one jar,
# not thousands of loose class files. When the jar is missing or older than a source or POM it is built
# first, so `sam build` also works from a clean clone (faster: `scripts/build` first, once).
#
# Try a target by hand: make build-OrderToCrmFunction ARTIFACTS_DIR=/tmp/artifacts

MVN ?= mvn
SHARED_INPUTS := pom.xml shared/pom.xml $(shell find shared/src/main -type f 2>/dev/null)

.PHONY: build-OrderToCrmFunction build-StockToInventoryFunction build-FulfilmentToCrmFunction build-ReconcilerFunction

build-OrderToCrmFunction: functions/order-to-crm/target/order-to-crm.jar
	$(call package,$<)

build-StockToInventoryFunction: functions/stock-to-inventory/target/stock-to-inventory.jar
	$(call package,$<)

build-FulfilmentToCrmFunction: functions/fulfilment-to-crm/target/fulfilment-to-crm.jar
	$(call package,$<)

build-ReconcilerFunction: functions/reconciler/target/reconciler.jar
	$(call package,$<)

# $(1): the flow's jar. ARTIFACTS_DIR is emptied first: SAM reuses it between builds.
define package
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set: sam build sets it; by hand, run make $@ ARTIFACTS_DIR=/some/dir" >&2; exit 2; }
	rm -rf "$(ARTIFACTS_DIR)/lib"
	mkdir -p "$(ARTIFACTS_DIR)/lib"
	cp "$(1)" "$(ARTIFACTS_DIR)/lib/"
endef

# One rule per flow: the jar depends on the shared runtime's and the flow's sources and POMs.
define flow_jar
functions/$(1)/target/$(1).jar: $(SHARED_INPUTS) functions/$(1)/pom.xml $(shell find functions/$(1)/src/main -type f 2>/dev/null)
	@echo "building $$@ with Maven (scripts/build builds all four at once)"
	$(MVN) -B -q -DskipTests package -pl functions/$(1) -am
endef

$(foreach flow,order-to-crm stock-to-inventory fulfilment-to-crm reconciler,$(eval $(call flow_jar,$(flow))))
