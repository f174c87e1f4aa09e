import type { ConnectorConfig } from '../../connectors/config.ts';
import { SOMCHAI, SOMSRI } from './hub-fixture.ts';
import { startAgencyApi, type AgencyApi } from './oauth2-server.ts';
import { startPostgres, type TestPostgres } from './postgres-server.ts';
import { SOAP_11_NS, startSoapServer, type SoapServer } from './soap-server.ts';

export const PERSON = 'dopa.civil-registration.person';
export const INCOME = 'rd.income-tax.annual-summary';
export const WELFARE = 'fpo.welfare-card.status';

export type BackendSettings = Pick<ConnectorConfig, 'backend' | 'mappings'>;

/**
 * Three agency systems as they are found on site, each started for real on
 * loopback: DOPA's SOAP linkage service, RD's PostgreSQL reporting database
 * and FPO's OAuth2-protected REST API, with the connector settings (backend
 * and mapping) that put each on the hub. Shared by the end-to-end tests and
 * the connector benchmark.
 */
export interface AgencyBackends {
  soap: SoapServer;
  pg: TestPostgres;
  api: AgencyApi;
  DOPA: BackendSettings;
  RD: BackendSettings;
  FPO: BackendSettings;
  stop(): Promise<void>;
}

export async function startAgencyBackends(): Promise<AgencyBackends> {
  const [pg, soap, api] = await Promise.all([
    startPostgres(),
    startSoapServer(),
    startAgencyApi({
      auth: 'oauth2',
      tokenLifetimeS: 300,
      records: {
        [`${WELFARE}/${SOMSRI}`]: {
          holder: 'Y',
          round: '2025',
          benefit: { monthly: '300', until: '30/09/2570' },
        },
        [`${WELFARE}/${SOMCHAI}`]: { holder: 'N', round: '2025' },
      },
    }),
  ]);
  const stop = async () => {
    await Promise.all([pg.stop(), soap.close(), api.close()]);
  };
  try {
    return { soap, pg, api, DOPA: dopaConfig(soap), RD: await rdConfig(pg), FPO: fpoConfig(api), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** DOPA behind a SOAP linkage-centre service: Thai names, Buddhist-era dates, DOPA code lists. */
export function dopaConfig(soap: SoapServer): BackendSettings {
  return {
    backend: {
      type: 'soap',
      url: soap.url,
      timeoutMs: 1_500,
      retries: 0,
      operations: {
        [PERSON]: {
          soapAction: 'http://linkage.dopa.go.th/GetPersonInfo',
          requestTemplate: `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP_11_NS}" xmlns:l="urn:linkage.dopa.go.th:person"><soap:Body><l:GetPersonInfo><l:PID>{subject}</l:PID></l:GetPersonInfo></soap:Body></soap:Envelope>`,
          recordPath: 'Envelope/Body/GetPersonInfoResponse/Person',
          fields: {
            title: 'TitleName',
            first: 'FirstName',
            last: 'LastName',
            firstEn: 'EnglishName/First',
            lastEn: 'EnglishName/Last',
            born: 'BirthDateText',
            sex: 'Gender',
            nationality: 'NationalityCode',
          },
        },
      },
    },
    mappings: {
      codeLists: { nationality: { '099': 'THA' } },
      records: {
        [PERSON]: {
          fields: {
            titleTh: { from: 'title' },
            firstNameTh: { from: 'first' },
            lastNameTh: { from: 'last' },
            firstNameEn: { from: 'firstEn', optional: true },
            lastNameEn: { from: 'lastEn', optional: true },
            dateOfBirth: { from: 'born', transform: { date: 'thai' } },
            gender: { from: 'sex', transform: { values: { '1': 'male', '2': 'female' } } },
            nationality: { from: 'nationality', transform: { lookup: 'nationality' } },
            lifeStatus: { const: 'alive' },
          },
        },
      },
    },
  };
}

/** RD behind a PostgreSQL reporting view, read by a role that can only read. */
async function rdConfig(pg: TestPostgres): Promise<BackendSettings> {
  await pg.sql(`
    CREATE TABLE tax_filing (citizen_id char(13) NOT NULL, tax_year_be integer NOT NULL, income numeric(14,2) NOT NULL, tax numeric(14,2) NOT NULL, status char(1) NOT NULL);
    CREATE VIEW v_latest_filing AS
      SELECT DISTINCT ON (citizen_id) citizen_id, tax_year_be - 543 AS tax_year, income, tax, status
      FROM tax_filing ORDER BY citizen_id, tax_year_be DESC;
    INSERT INTO tax_filing VALUES ('${SOMSRI}', 2567, 175000.00, 0, 'F'), ('${SOMSRI}', 2568, 182000.00, 0, 'F'), ('${SOMCHAI}', 2568, 960000.50, 61000.25, 'R');
  `);
  const passwordFile = await pg.createReadOnlyRole('rd_reader');
  return {
    backend: {
      type: 'postgres',
      host: pg.host,
      port: pg.port,
      database: pg.database,
      user: 'rd_reader',
      passwordFile,
      sslMode: 'disable',
      statementTimeoutMs: 2_000,
      retries: 0,
      breakerFailureThreshold: 2,
      breakerResetMs: 1_000,
      queries: {
        [INCOME]: 'SELECT tax_year, income, tax, status FROM v_latest_filing WHERE citizen_id = $1',
      },
    },
    mappings: {
      records: {
        [INCOME]: {
          fields: {
            taxYear: { from: 'tax_year', transform: { number: true } },
            assessableIncome: { from: 'income', transform: { number: true } },
            taxPaid: { from: 'tax', transform: { number: true } },
            filingStatus: {
              from: 'status',
              transform: { values: { F: 'filed', N: 'not-filed', R: 'under-review' } },
            },
          },
        },
      },
    },
  };
}

/** FPO behind an HTTPS REST API guarded by OAuth2 client credentials. */
function fpoConfig(api: AgencyApi): BackendSettings {
  return {
    backend: {
      type: 'http',
      urlTemplate: api.urlTemplate,
      timeoutMs: 2_000,
      auth: {
        type: 'oauth2-client-credentials',
        tokenUrl: api.tokenUrl,
        clientId: api.clientId,
        clientSecretFile: api.files.clientSecretFile,
        scope: 'welfare.read',
      },
      tls: { caFile: api.files.caFile },
    },
    mappings: {
      records: {
        [WELFARE]: {
          fields: {
            cardHolder: { from: 'holder', transform: { values: { Y: true, N: false } } },
            programmeRound: { from: 'round' },
            monthlyBenefitBaht: { from: 'benefit.monthly', optional: true, transform: { number: true } },
            validUntil: { from: 'benefit.until', optional: true, transform: { date: 'dmy-be' } },
          },
        },
      },
    },
  };
}
