"""wastecycle's pages, by topic: views_school (the teacher's phone, the school's and the district's
figures), views_station (the station's desk), views_batch (a ticket, a batch and its lot)."""
