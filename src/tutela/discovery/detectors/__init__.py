"""The built-in personal-data detectors, one module each.

Registered by name in :data:`tutela.plugins.DETECTORS` (``builtins``), loaded lazily:

- ``email`` (:mod:`.email`), ``phone`` (:mod:`.phone`): contact data;
- ``iban`` (:mod:`.iban`), ``payment_card`` (:mod:`.payment_card`): financial data;
- ``national_id`` (:mod:`.national_id`): national identifiers with their check digits;
- ``ip_address`` (:mod:`.ip_address`): device addresses, told apart from versions;
- ``date_of_birth``, ``postcode``, ``street_address``, ``person_name``;
- ``lookalikes`` (:mod:`.lookalikes`): values that look personal but are not (uuids,
  hashes, product codes, tracking numbers, user agents, log lines, versions);
- ``column_name`` (:mod:`.column_name`): what a column's name says.
"""
