"""Running totals behind /stats, kept by database triggers in the same transaction as every
change to a request or a stage (migration 9d3e5a7c1b20): the application only reads them."""

import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, Float, Integer, Numeric, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class RequestDayTotal(Base):
    """Requests and their amount per UTC day of submission and current status."""

    __tablename__ = "request_day_totals"

    day: Mapped[datetime.date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    requests: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[Decimal] = mapped_column(Numeric(20, 2))


class StageRoleTotal(Base):
    """Per UTC day of the requests' submission, their status and role: its stages assigned
    and decided, the requests holding one, and their seconds from assignment to decision."""

    __tablename__ = "stage_role_totals"

    day: Mapped[datetime.date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(32), primary_key=True)  # the request's, now
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    decided: Mapped[int] = mapped_column(BigInteger)
    requests: Mapped[int] = mapped_column(BigInteger)
    seconds: Mapped[float] = mapped_column(Float)


class StageTimingBucket(Base):
    """Per UTC day of the requests' submission, their status and role: how many decided
    stages took a time in `bucket`, floor(ln(1 + s) * 100), so each bucket is 1 % of its
    value wide (the median read from them is within 1 %)."""

    __tablename__ = "stage_timing_buckets"

    day: Mapped[datetime.date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(32), primary_key=True)  # the request's, now
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    decided: Mapped[int] = mapped_column(BigInteger)
