# The README's commands. Each target installs what it needs, so a fresh clone works.
NPM ?= npm

.PHONY: install build test demo bench soak clean

# `npm install`, not `npm ci`: the registry these machines reach serves only this platform's
# optional binaries (e.g. jest's @unrs/resolver-binding-*), so the lock file cannot list the
# others and `npm ci` refuses it as out of sync. `npm install` follows the lock file all the same.
node_modules/.installed: package.json package-lock.json
	$(NPM) install --no-audit --no-fund
	@touch $@

install: node_modules/.installed

build: install
	$(NPM) run build

test: build
	npx jest --ci

demo: build
	node scripts/demo.js

bench: build
	node scripts/bench.js
	node scripts/bench-iisreset.js
	node scripts/bench-pools.js
	node scripts/bench-rolling.js

# Not a test: 10 000 status calls and 1 000 recycles through one session, memory at intervals.
soak: build
	node --expose-gc scripts/soak.js

clean:
	rm -rf dist node_modules
