import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { soapFault } from '../../connectors/backends/soap/soap-fault.ts';
import { compileOperations } from '../../connectors/backends/soap/soap-operation.ts';
import { escapeXml, fillTemplate, parseXml } from '../../connectors/backends/soap/soap-xml.ts';
import { compilePath, readField, selectRecord } from '../../connectors/backends/soap/xml-path.ts';
import type { XmlElement } from '../../connectors/backends/soap/xml-element.types.ts';

const SOAP_11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP_12 = 'http://www.w3.org/2003/05/soap-envelope';
const RECORD = compilePath('soap:Envelope/soap:Body/GetPersonInfoResponse/Person', 'test', false);

/** A DOPA-style answer: default namespace on the response, prefixes on the envelope. */
function envelope(body: string, ns = SOAP_11): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="${ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <s:Body><GetPersonInfoResponse xmlns="urn:linkage">${body}</GetPersonInfoResponse></s:Body>
</s:Envelope>`;
}

const PERSON = `
  <Person pid="1101700203450">
    <FirstName>สมศรี</FirstName>
    <MiddleName/>
    <LastName>ใจดี</LastName>
    <BirthDate>25270312</BirthDate>
    <BirthDateText>12 มีนาคม 2527</BirthDateText>
    <NationalityCode>099</NationalityCode>
    <p:Address xmlns:p="urn:address"><p:ProvinceCode>10</p:ProvinceCode><p:DistrictCode>01</p:DistrictCode></p:Address>
    <DeathDate xsi:nil="true"/>
    <Note>A &amp; B &lt;ok&gt; &#3585;&#x0E02; <![CDATA[&amp; <raw>]]></Note>
  </Person>`;

function field(record: XmlElement, path: string): string | undefined {
  return readField(record, compilePath(path, 'test', true), path, 'backend');
}

function recordOf(xml: string): XmlElement | undefined {
  return selectRecord(parseXml(xml, 'backend'), RECORD, 'backend');
}

describe('SOAP answers: parsed defensively, read by slash paths', () => {
  it('finds the record and its fields by local name, prefixes removed', () => {
    const person = recordOf(envelope(PERSON))!;
    expect(field(person, 'FirstName')).toBe('สมศรี');
    expect(field(person, 'LastName')).toBe('ใจดี');
    expect(field(person, 'BirthDateText')).toBe('12 มีนาคม 2527');
    expect(field(person, 'Address/ProvinceCode')).toBe('10');
    expect(field(person, 'a:Address/a:DistrictCode')).toBe('01');
    expect(field(person, '@pid')).toBe('1101700203450');
  });

  it('keeps every value a string: a citizen id, a Buddhist-era date and leading zeros stay as written', () => {
    const person = recordOf(envelope(PERSON))!;
    expect(field(person, '@pid')).toStrictEqual('1101700203450');
    expect(field(person, 'BirthDate')).toStrictEqual('25270312');
    expect(field(person, 'NationalityCode')).toStrictEqual('099');
    expect(field(person, 'Address/DistrictCode')).toStrictEqual('01');
  });

  it('decodes the predefined entities and character references once, and CDATA not at all', () => {
    expect(field(recordOf(envelope(PERSON))!, 'Note')).toBe('A & B <ok> กข &amp; <raw>');
    expect(parseXml('<a v="x &amp;lt; y">&amp;amp;</a>', 'backend')).toMatchObject({
      text: '&amp;',
      attributes: new Map([['v', 'x &lt; y']]),
    });
  });

  it('gives an empty element as "" and leaves out a missing or xsi:nil field', () => {
    const person = recordOf(envelope(PERSON))!;
    expect(field(person, 'MiddleName')).toBe('');
    expect(field(person, 'DeathDate')).toBeUndefined();
    expect(field(person, 'Nickname')).toBeUndefined();
    expect(field(person, 'Address/PostalCode')).toBeUndefined();
    expect(field(person, 'Passport/Number')).toBeUndefined();
    expect(field(person, '@missing')).toBeUndefined();
  });

  it('treats an absent record element as not found, but a missing envelope part as an invalid answer', () => {
    expect(recordOf(envelope('<ResultCode>0</ResultCode>'))).toBeUndefined();
    expect(() => recordOf(`<s:Envelope xmlns:s="${SOAP_11}"><s:Body/></s:Envelope>`)).toThrow(
      expect.objectContaining({
        code: 'ERR_BACKEND_RESPONSE_INVALID',
        message: expect.stringContaining('has no Envelope/Body/GetPersonInfoResponse'),
      }),
    );
    expect(() => recordOf('<html><body>Service moved</body></html>')).toThrow(
      expect.objectContaining({ code: 'ERR_BACKEND_RESPONSE_INVALID' }),
    );
  });

  it('refuses repetition where one element is expected', () => {
    expect(() => recordOf(envelope(PERSON + PERSON))).toThrow(
      expect.objectContaining({
        code: 'ERR_BACKEND_AMBIGUOUS',
        message: expect.stringContaining('2 records'),
      }),
    );
    const twoBodies = `<s:Envelope xmlns:s="${SOAP_11}"><s:Body/><s:Body/></s:Envelope>`;
    expect(() => recordOf(twoBodies)).toThrow(
      expect.objectContaining({
        code: 'ERR_BACKEND_RESPONSE_INVALID',
        message: expect.stringContaining('repeats'),
      }),
    );
    const person = recordOf(
      envelope('<Person><Phone>021</Phone><Phone>022</Phone><Name><First>ก</First></Name></Person>'),
    )!;
    expect(() => field(person, 'Phone')).toThrow(
      expect.objectContaining({
        code: 'ERR_BACKEND_RESPONSE_INVALID',
        message: expect.stringMatching(/field Phone: element Phone appears 2 times/),
      }),
    );
    expect(() => field(person, 'Name')).toThrow(
      expect.objectContaining({
        code: 'ERR_BACKEND_RESPONSE_INVALID',
        message: expect.stringMatching(/field Name: is an element with children/),
      }),
    );
  });

  it('refuses malformed XML without quoting it', () => {
    const secret = '1101700203450';
    for (const text of [
      `<s:Envelope xmlns:s="${SOAP_11}"><s:Body><Person>${secret}</s:Body>`,
      `<a>${secret}</a><b/>`,
      '',
      `plain text ${secret}`,
      `<a>${secret} & more</a>`,
      `<a>&undefined;${secret}</a>`,
      '<a>&#0;</a>',
      '<a>&#xD800;</a>',
      '<a>&constructor;</a>',
    ]) {
      let thrown: unknown;
      try {
        parseXml(text, 'backend');
      } catch (error) {
        thrown = error;
      }
      expect(thrown, text).toMatchObject({ code: 'ERR_BACKEND_RESPONSE_INVALID' });
      expect((thrown as Error).message).not.toContain(secret);
    }
  });
});

describe('DTDs are refused outright (SOAP 1.1 s.3, SOAP 1.2 part 1 s.5)', () => {
  it('refuses an external entity (XXE) and never reads the file', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${envelope('<Person><FirstName>&xxe;</FirstName></Person>').replace(/^<\?xml[^>]*>/, '')}`;
    let thrown: unknown;
    try {
      parseXml(xxe, 'backend');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      code: 'ERR_BACKEND_RESPONSE_INVALID',
      message: expect.stringContaining('DTD'),
    });
    expect(JSON.stringify(thrown, Object.getOwnPropertyNames(thrown))).not.toMatch(/root:|nologin/);
    expect((thrown as Error).cause).toBeUndefined();
  });

  it('refuses a billion-laughs entity bomb at once', () => {
    const levels = Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
    ).join('');
    const bomb = `<!DOCTYPE lolz [<!ENTITY lol "lol">${levels}]><lolz>&lol9;</lolz>`;
    const started = performance.now();
    expect(() => parseXml(bomb, 'backend')).toThrow(
      expect.objectContaining({ code: 'ERR_BACKEND_RESPONSE_INVALID' }),
    );
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('refuses any DOCTYPE, even without entities and in any letter case', () => {
    for (const text of [
      '<!DOCTYPE a><a/>',
      '<!doctype a><a/>',
      '<?xml version="1.0"?>\n<!DOCTYPE a SYSTEM "http://evil.example/a.dtd"><a/>',
    ]) {
      expect(() => parseXml(text, 'backend'), text).toThrow(
        expect.objectContaining({ code: 'ERR_BACKEND_RESPONSE_INVALID' }),
      );
    }
  });
});

describe('SOAP faults carry their code, never their text', () => {
  const reason = 'ORA-01403 ไม่พบข้อมูล PID 1101700203450';

  it('reads a SOAP 1.1 faultcode', () => {
    const fault = soapFault(
      parseXml(
        `<soap:Envelope xmlns:soap="${SOAP_11}"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>${reason}</faultstring><detail>${reason}</detail></soap:Fault></soap:Body></soap:Envelope>`,
        'b',
      ),
      'backend',
    );
    expect(fault).toMatchObject({
      code: 'ERR_BACKEND_FAULT',
      message: 'backend answered with SOAP fault soap:Server',
    });
  });

  it('reads a SOAP 1.2 Code/Value', () => {
    const xml = `<env:Envelope xmlns:env="${SOAP_12}"><env:Body><env:Fault><env:Code><env:Value>env:Receiver</env:Value><env:Subcode><env:Value>m:Down</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="th">${reason}</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`;
    expect(soapFault(parseXml(xml, 'b'), 'backend')).toMatchObject({
      code: 'ERR_BACKEND_FAULT',
      message: 'backend answered with SOAP fault env:Receiver',
    });
  });

  it('does not repeat a code that is not a QName, and says when there is none', () => {
    const withCode = (code: string) =>
      parseXml(
        `<s:Envelope xmlns:s="${SOAP_11}"><s:Body><s:Fault>${code}<faultstring>${reason}</faultstring></s:Fault></s:Body></s:Envelope>`,
        'b',
      );
    expect(soapFault(withCode(`<faultcode>${reason}</faultcode>`), 'backend')?.message).toBe(
      'backend answered with SOAP fault (code not a QName, not shown)',
    );
    expect(soapFault(withCode(''), 'backend')?.message).toBe('backend answered with SOAP fault (no code)');
  });

  it('finds no fault in an ordinary answer or in plain XML', () => {
    expect(soapFault(parseXml(envelope(PERSON), 'b'), 'backend')).toBeUndefined();
    expect(soapFault(parseXml('<Fault><faultcode>x</faultcode></Fault>', 'b'), 'backend')).toBeUndefined();
  });
});

describe('requests: the subject XML-escaped into the template', () => {
  it('escapes the five special characters', () => {
    expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&apos;');
    expect(fillTemplate('<a id="{subject}"><PID>{subject}</PID></a>', `1"><x/>&`)).toBe(
      '<a id="1&quot;&gt;&lt;x/&gt;&amp;"><PID>1&quot;&gt;&lt;x/&gt;&amp;</PID></a>',
    );
  });

  it('puts `$<` and `$&` in as text, not as replacement patterns (found by the round-trip property on CI)', () => {
    expect(fillTemplate('<PID>{subject}</PID>', '$<')).toBe('<PID>$&lt;</PID>');
    expect(fillTemplate('<PID>{subject}</PID>', "$&$'")).toBe('<PID>$&amp;$&apos;</PID>');
  });

  it('refuses characters XML 1.0 cannot carry', () => {
    for (const bad of ['\u0000', '123\u0007', '\ud800', '\uffff']) {
      expect(() => escapeXml(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
  });

  it('round-trips any subject through template and parser, as text and as attribute', () => {
    const unit = fc.oneof(
      fc.constantFrom('<', '>', '&', '"', "'", 'ก', '๑', ' ', ';', '#'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    );
    const xmlChars = fc
      .string({ unit, maxLength: 40 })
      // Control characters cannot be carried at all (tested above); XML also normalises tabs and newlines.
      .filter((s) => ![...s].some((c) => (c.codePointAt(0) ?? 0) < 0x20 || c === '\ufffe' || c === '\uffff'));
    fc.assert(
      fc.property(xmlChars, (subject) => {
        const root = parseXml(fillTemplate('<Req v="{subject}"><PID>{subject}</PID></Req>', subject), 'b');
        expect(root.attributes.get('v')).toBe(subject);
        expect(root.children[0]?.text).toBe(subject);
      }),
    );
  });
});

describe('paths and operations are checked at start-up', () => {
  it('refuses empty, malformed and misplaced-attribute paths', () => {
    expect(compilePath('soap:Envelope/soap:Body/R/@xsi:nil', 'x', true)).toEqual({
      elements: ['Envelope', 'Body', 'R'],
      attribute: 'nil',
    });
    for (const [path, allowAttribute] of [
      ['', true],
      ['A//B', true],
      ['A/', true],
      ['A/B c', true],
      ['A/@id', false],
      ['@', true],
    ] as const) {
      expect(() => compilePath(path, 'soap operation t: recordPath', allowAttribute), path).toThrow(
        expect.objectContaining({
          code: 'ERR_CONFIG_INVALID',
          message: expect.stringContaining('soap operation t: recordPath'),
        }),
      );
    }
  });

  const op = {
    requestTemplate: `<s:Envelope xmlns:s="${SOAP_11}"><s:Body><Get><PID>{subject}</PID></Get></s:Body></s:Envelope>`,
    recordPath: 'Envelope/Body/R/P',
    fields: { a: 'A' },
  };

  it('sends SOAP 1.1 as text/xml with a quoted SOAPAction, 1.2 as application/soap+xml with an action parameter', () => {
    const ops = compileOperations({
      one: { ...op, soapAction: 'http://linkage.dopa.go.th/GetPersonInfo' },
      bare: op,
      two: {
        ...op,
        soapAction: 'urn:GetPersonInfo',
        requestTemplate: op.requestTemplate.replace(SOAP_11, SOAP_12),
      },
      plain: { ...op, requestTemplate: '<Get><PID>{subject}</PID></Get>' },
    });
    expect(ops.get('one')?.headers).toMatchObject({
      'content-type': 'text/xml; charset=utf-8',
      soapaction: '"http://linkage.dopa.go.th/GetPersonInfo"',
    });
    expect(ops.get('bare')?.headers).toMatchObject({ soapaction: '""' });
    expect(ops.get('two')?.headers).toMatchObject({
      'content-type': 'application/soap+xml; charset=utf-8; action="urn:GetPersonInfo"',
    });
    expect(ops.get('two')?.headers).not.toHaveProperty('soapaction');
    expect(ops.get('plain')?.headers).not.toHaveProperty('soapaction');
  });

  it('refuses a template without {subject}, one that is not XML or has a DTD, and a bad action, naming the record type', () => {
    for (const bad of [
      { ...op, requestTemplate: '<Get><PID>1</PID></Get>' },
      { ...op, requestTemplate: '<Get><PID>{subject}</Get>' },
      { ...op, requestTemplate: '<!DOCTYPE Get><Get>{subject}</Get>' },
      { ...op, soapAction: 'urn:a" injected="1' },
      { ...op, fields: {} },
      { ...op, recordPath: 'Envelope/Body/@x' },
    ]) {
      expect(() => compileOperations({ 'dopa.civil-registration.person': bad })).toThrow(
        expect.objectContaining({
          code: 'ERR_CONFIG_INVALID',
          message: expect.stringContaining('soap operation dopa.civil-registration.person:'),
        }),
      );
    }
  });
});
