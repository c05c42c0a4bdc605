#!/usr/bin/env bash
# Creates the standard files of an Nx project: tools/new-project.sh <libs|apps|tools> <name> <scope:*> <type:*>
# (tags and what they allow: docs/architecture.md; tools/ci/src/lint-rules.spec.ts checks every project has both)
set -euo pipefail
kind=$1 name=$2 scope=${3:-scope:shared} type=${4:-type:core}
dir=$kind/$name
mkdir -p "$dir/src"
targets='"test": {}, "typecheck": {}, "lint": {}'
[[ $kind == apps ]] && targets='"serve": {}, "build": {}, "test": {}, "typecheck": {}, "lint": {}'
[[ $kind == libs ]] && targets='"build": {}, "test": {}, "typecheck": {}, "lint": {}'
cat > "$dir/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "../../node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$dir/src",
  "projectType": "$([[ $kind == apps ]] && echo application || echo library)",
  "tags": ["$scope", "$type"],
  "targets": { $targets }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "include": ["src/**/*.ts"]
}
JSON
cat > "$dir/jest.config.cjs" <<JS
module.exports = { displayName: '$name', preset: '../../jest.preset.js' };
JS
