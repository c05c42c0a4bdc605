import { parseJavaProperties } from './java-properties';

describe('parseJavaProperties', () => {
  it('reads key=value, key: value and key value, skipping # and ! comments and blank lines', () => {
    const text = ['# comment', '! also a comment', '', '  tickTime = 2000', 'clientPort: 2181', 'dataDir /var/zk', '   # indented comment'].join('\n');
    expect(parseJavaProperties(text)).toEqual([
      { key: 'tickTime', value: '2000', line: 4 },
      { key: 'clientPort', value: '2181', line: 5 },
      { key: 'dataDir', value: '/var/zk', line: 6 },
    ]);
  });

  it('keeps later separators and trailing spaces inside the value', () => {
    expect(parseJavaProperties('server.1=a:2888:3888;2181  ')).toEqual([{ key: 'server.1', value: 'a:2888:3888;2181  ', line: 1 }]);
  });

  it('joins continuation lines and records the first line number', () => {
    const text = 'a=1\n4lw.commands.whitelist=ruok, \\\n    srvr,\\\n  stat\nb=2';
    expect(parseJavaProperties(text)).toEqual([
      { key: 'a', value: '1', line: 1 },
      { key: '4lw.commands.whitelist', value: 'ruok, srvr,stat', line: 2 },
      { key: 'b', value: '2', line: 5 },
    ]);
  });

  it('handles escapes: an escaped separator stays in the key, \\t and \\uXXXX decode, \\\\ is a backslash', () => {
    const text = 'a\\=b=c\\td\nu=\\u0041\\\\\nwin=C:\\\\dir';
    expect(parseJavaProperties(text)).toEqual([
      { key: 'a=b', value: 'c\td', line: 1 },
      { key: 'u', value: 'A\\', line: 2 },
      { key: 'win', value: 'C:\\dir', line: 3 },
    ]);
  });

  it('accepts CRLF line endings and a key without a value', () => {
    expect(parseJavaProperties('a=1\r\nflag\r\n')).toEqual([
      { key: 'a', value: '1', line: 1 },
      { key: 'flag', value: '', line: 2 },
    ]);
  });
});
