// An InvenSense MPU-6050 (or 6500/9250 in 6050 mode) on the board's I2C bus, read through Firmata's
// I2C_REQUEST continuous read: the board polls the 14 data bytes at its sampling interval and sends
// each reply, so a sample arrives only when the sensor was really read.
//
// Registers (MPU-6000/6050 register map rev 4.2): PWR_MGMT_1 0x6B (0 = wake, internal clock),
// GYRO_CONFIG 0x1B (0 = ±250 °/s, 131 LSB per °/s), ACCEL_CONFIG 0x1C (0 = ±2 g, 16384 LSB per g),
// ACCEL_XOUT_H 0x3B: ax ay az temp gx gy gz, each int16 big-endian.

/// <reference path="../../../types/firmata-io.d.ts" />
import type { Firmata } from 'firmata-io';

export const MPU6050 = {
  PWR_MGMT_1: 0x6b, GYRO_CONFIG: 0x1b, ACCEL_CONFIG: 0x1c, ACCEL_XOUT_H: 0x3b,
  /** LSB per g at ±2 g, LSB per °/s at ±250 °/s. */
  ACCEL_LSB_PER_G: 16384, GYRO_LSB_PER_DPS: 131,
} as const;

const G_MPS2 = 9.80665;

const int16 = (hi: number, lo: number): number => ((((hi & 0xff) << 8) | (lo & 0xff)) << 16) >> 16;

/** Decodes the 14 bytes from ACCEL_XOUT_H into `out` (6): accel xyz m/s², gyro xyz rad/s. */
export function decodeMpu6050(b: ArrayLike<number>, out: Float64Array): boolean {
  if (b.length < 14) return false;
  const a = G_MPS2 / MPU6050.ACCEL_LSB_PER_G;
  const g = Math.PI / 180 / MPU6050.GYRO_LSB_PER_DPS;
  out[0] = int16(b[0], b[1]) * a; out[1] = int16(b[2], b[3]) * a; out[2] = int16(b[4], b[5]) * a;
  out[3] = int16(b[8], b[9]) * g; out[4] = int16(b[10], b[11]) * g; out[5] = int16(b[12], b[13]) * g;
  return true;
}

/** Wakes the sensor, sets the default ranges and starts the continuous read. */
export function startMpu6050(io: Firmata, address: number, onSample: (ok: boolean) => void, out: Float64Array): void {
  io.i2cConfig(0);
  io.i2cWrite(address, MPU6050.PWR_MGMT_1, [0x00]);
  io.i2cWrite(address, MPU6050.GYRO_CONFIG, [0x00]);
  io.i2cWrite(address, MPU6050.ACCEL_CONFIG, [0x00]);
  io.i2cRead(address, MPU6050.ACCEL_XOUT_H, 14, (bytes) => onSample(decodeMpu6050(bytes, out)));
}
