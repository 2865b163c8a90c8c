"""Delivery that never stalls: every saved notification is scheduled in the delivery index
(`adapters/delivery_index.py`) by whoever saves it (`records.DeliveryRecords`), and the
dispatcher (`dispatcher.py`) claims what is due and delivers it with bounded concurrency,
recording each attempt as an event; while the SMTP relay is down every email waits without an
attempt counted (`relay_watch.py`)."""
