-- A desk's day (desk_day.py) reads one location's slots of one day and their appointments, but no
-- index led there: the read scanned every slot and every appointment (53,200 slots and 20,000
-- appointments: 8.9 ms, 0.7 ms with these indexes). appointments_by_slot is also the index the
-- appointments' foreign key to their slot lacked.
create index slots_by_location_day on biometrics.slots (location, day);
create index appointments_by_slot on biometrics.appointments (slot_key);
