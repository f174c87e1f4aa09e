// Original file: proto/xhub/audit/v1/audit.proto


export interface Evidence {
  /**
   * The bundle as JSON (format xhub-evidence/v1).
   */
  'bundleJson'?: (string);
}

export interface Evidence__Output {
  /**
   * The bundle as JSON (format xhub-evidence/v1).
   */
  'bundleJson': (string);
}
