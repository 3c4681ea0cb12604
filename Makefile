# The README's commands. Each target installs what it needs, so a fresh clone works.
NPM ?= npm

.PHONY: install build typecheck test test-pwsh-engine test-repeat demo bench soak clean pwsh

# `npm ci`: installs exactly the lock file and never rewrites it, so a fresh clone stays clean.
node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

install: node_modules/.installed

build: install
	$(NPM) run build

# Real PowerShell 7 for the tier that checks every generated script against PowerShell itself:
# pwsh on PATH, else installed as a .NET tool into .tools/ (gitignored); where neither pwsh nor
# dotnet exists it says so in one line and that tier is skipped (CI=true: it fails instead).
pwsh:
	@node scripts/real-pwsh.js install

# The tests' types (lib, scripts and __tests__ together). jest compiles each file alone
# (tsconfig.test.json: isolatedModules, so ts-jest only transpiles), which halves its CPU time, so
# the type check of the test files happens here, once.
typecheck: install
	npx tsc --noEmit -p tsconfig.test.json

test: build typecheck pwsh
	npx jest --ci
	node scripts/test-pwsh-engine.js

# The end-to-end tier again with IISCTL_SIM_ENGINE=pwsh (real PowerShell 7 runs its scripts, the
# spawned CLI's too; scripts/test-pwsh-engine.js): suites, tests, disagreements, scripts, CPU seconds.
test-pwsh-engine: build pwsh
	node scripts/test-pwsh-engine.js

# The same test run 5 times in a row (TEST_REPEAT=N for another count): one summary line per run,
# and it fails unless every run is green. Catches tests that fail now and then.
test-repeat: build pwsh
	node scripts/test-repeat.js

demo: build
	node scripts/demo.js

# The benchmarks measure the interpreter engine unless IISCTL_SIM_ENGINE says otherwise (auto would
# pick pwsh where it is installed); bench-sim.js measures the pwsh engine's warm call on its own.
bench soak: export IISCTL_SIM_ENGINE ?= interp
bench: build
	node scripts/bench.js
	node scripts/bench-compare.js
	node scripts/bench-pools.js
	node scripts/bench-rolling.js
	node scripts/bench-sim.js

# Not a test: 10 000 status calls and 1 000 recycles through one session, memory at intervals.
soak: build
	node --expose-gc scripts/soak.js

clean:
	rm -rf dist node_modules .tools
