"""Import of the lists transmitted to the commune's register (issue 13, « ways in »).

Guide VISA, « Recourir au registre communal »: the département (APA and PCH beneficiaries), the
pension funds (Carsat) and the CAF (AAH) may transmit the « coordonnées (adresse et numéro de
téléphone) » of the persons who did not object, so that the commune contacts them and asks for their
consent. An import reads such a list (CSV or XLSX), shows what each row will do, and on confirmation
writes everything or nothing: persons created or matched, and one *pending* register entry each.

- `reading`: the file to rows (size, type, encoding, separator), the header to known columns;
- `rows`: each row checked and matched to the organisation's persons (the plan of the import);
- `services`: the confirmed import, in one transaction.
"""
