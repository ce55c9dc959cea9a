// The qualification a sitting is assessed for, as the mark sheet and the results export name it.
// Seed 000 (the primary specification): "Pearson LCCI Level 2 Certificate in Contact Centre
// Skills (VRQ) (ASECCS2)"; "The subject code ... is: ASECCS2. The subject code is used by centres
// to enter students for a qualification"; the unit assessed by calls is "Unit 2: Handling Inbound
// and Outbound Calls".
export const QUALIFICATION = {
  title: 'Pearson LCCI Level 2 Certificate in Contact Centre Skills (VRQ)',
  subjectCode: 'ASECCS2',
  unit: 'Unit 2: Handling Inbound and Outbound Calls',
} as const;
