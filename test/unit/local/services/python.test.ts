import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findPython, pythonOverrideVariable } from '../../../../local/services/python';
import { selectServices } from '../../../../local/services/registry';

const dir = mkdtempSync(join(tmpdir(), 'sluice-python-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fake interpreter that answers the version probe with `version`. */
function fakePython(name: string, version: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\necho ${version}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('finding a Python interpreter of one version', () => {
  it('takes the override when it answers with the version asked for', async () => {
    const python = fakePython('py313', '3.13');
    expect(pythonOverrideVariable('3.13')).toBe('SLUICE_PYTHON_3_13');
    expect(
      await findPython('3.13', { SLUICE_PYTHON_3_13: python, PATH: '', PYENV_ROOT: dir }),
    ).toBe(python);
  });

  it('refuses an interpreter of another version and says where it looked', async () => {
    const python = fakePython('py311', '3.11');
    const found = findPython('3.13', { SLUICE_PYTHON_3_13: python, PATH: '', PYENV_ROOT: dir });
    await expect(found).rejects.toThrow(
      new RegExp(`Python 3\\.13 not found \\(tried ${python}, python3\\.13\\).*SLUICE_PYTHON_3_13`),
    );
  });

  it('finds pyenv’s newest patch release of the version', async () => {
    for (const patch of ['3.13.0', '3.13.2', '3.12.9']) {
      const bin = join(dir, 'versions', patch, 'bin');
      mkdirSync(bin, { recursive: true });
      const file = join(bin, 'python3');
      writeFileSync(file, `#!/bin/sh\necho ${patch.split('.').slice(0, 2).join('.')}\n`);
      chmodSync(file, 0o755);
    }
    expect(await findPython('3.13', { PATH: '', PYENV_ROOT: dir })).toBe(
      join(dir, 'versions', '3.13.2', 'bin', 'python3'),
    );
  });
});

describe('the service registry', () => {
  it('leaves the opt-in LocalStack out of a bare up, but not out of down or status', () => {
    expect(selectServices([], false).map((s) => s.name)).toEqual([
      'kafka',
      'sqs',
      'moto',
      'opensearch',
    ]);
    expect(selectServices().map((s) => s.name)).toContain('localstack');
    expect(selectServices(['localstack']).map((s) => s.name)).toEqual(['localstack']);
  });
});
