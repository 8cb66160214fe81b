"""Import and export of the directory: Open Referral HSDS 3 and the data·inclusion schema v1.

Both formats go through one neutral form (`records.ServiceRecord`…), one validation and one writer
(`records.write`), so that they share the rules: an import lands whole or not at all, and reports
every rejected row with its place in the file, the field and the reason, in French.
"""
